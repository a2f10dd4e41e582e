"""Russian and Ukrainian reports: language, inflected names, regions, event words, dates, facts.

Every text here is written for these tests (short, in the style of governors' posts and
regional news), not taken from the evaluation articles.
"""

from __future__ import annotations

import datetime as dt

import pytest

from geo.articles import article_from_text
from geo.errors import ArticleError
from geo.events import Event
from geo.gazetteer import Gazetteer
from geo.gloss import gloss_article
from geo.language import detect_language
from geo.pipeline import extract

PUBLISHED = "2024-05-08"  # a Wednesday


def events(text: str, gazetteer: Gazetteer, published: str = PUBLISHED) -> list[Event]:
    return extract(article_from_text("Новости\n\n" + text, published=published), gazetteer=gazetteer)


def only(text: str, gazetteer: Gazetteer) -> Event:
    found = events(text, gazetteer)
    assert len(found) == 1, [(e.location, e.event_type) for e in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("В результате обстрела Шебекино ранены двое мирных жителей.", "ru"),
        ("Ворог обстріляв Краснопільську громаду: пошкоджено житловий будинок.", "uk"),
        ("В Климово Брянской области погибли два человека при обстреле.", "ru"),  # short: not Bulgarian
        ("Shelling hit Shebekino on Monday.", "en"),
    ],
)
def test_the_language_is_identified(text: str, language: str) -> None:
    assert detect_language(text) == language
    assert article_from_text("T\n\n" + text).language == language


def test_an_unsupported_language_is_named_in_one_line() -> None:
    belarusian = (
        "Учора ўвечары ў горадзе адбылася сустрэча жыхароў з прадстаўнікамі мясцовай улады. "
        "Яны абмеркавалі пытанні добраўпарадкавання вуліц, рамонту дарог і школ, а таксама "
        "будаўніцтва новага стадыёна, які павінны адкрыць наступным летам для ўсіх ахвотных."
    )
    with pytest.raises(
        ArticleError, match=r"post\.txt: the text is in Belarusian; only English, Russian and Ukrainian"
    ):
        article_from_text("Навіны\n\n" + belarusian, source="post.txt")


@pytest.mark.parametrize(
    ("text", "place", "precision"),
    [
        ("Беспилотник атаковал автомобиль в Судже, пострадал водитель.", "Sudzha", 1),  # locative
        ("ВСУ нанесли удар по Шебекино, повреждены дома.", "Shebekino", 1),  # indeclinable
        ("Вчера ракетный удар по Харькову унёс жизни трёх человек.", "Kharkiv", 1),  # dative
        ("У Сумах пролунали вибухи після атаки дронів.", "Sumy", 1),  # Ukrainian locative plural
        ("Російські війська обстріляли позиції під Вовчанськом.", "Vovchansk", 2),  # instrumental: near
        ("Вчора бійці ЗСУ відбили штурм біля Старого Салтова.", "Staryi Saltiv", 2),  # two inflected words
        ("У Куп'янську внаслідок обстрілу поранено чоловіка.", "Kupyansk", 1),  # apostrophe
        ("У Куп’янську внаслідок обстрілу поранено чоловіка.", "Kupyansk", 1),  # typographic apostrophe
    ],
)
def test_inflected_place_names_are_lemmatised(text: str, place: str, precision: int, gazetteer: Gazetteer) -> None:
    event = only(text, gazetteer)
    assert (event.location, event.geo_precision) == (place, precision)


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("В Белгородской области беспилотник сбросил взрывчатку на автомобиль, ранены двое.", "Belgorod Oblast"),
        ("Курская область подверглась атаке беспилотников, сообщил губернатор.", "Kursk Oblast"),
        ("Ночью ПВО сбила беспилотники над Брянской областью.", "Bryansk Oblast"),
        ("Ворог вдарив по селу на Харківщині, загинула жінка.", "Kharkiv Oblast"),
        ("Окупанти обстріляли прикордоння Сумщини з мінометів.", "Sumy Oblast"),
    ],
)
def test_adjectival_and_shchyna_regions_map_to_the_region(text: str, region: str, gazetteer: Gazetteer) -> None:
    event = only(text, gazetteer)
    assert (event.admin1, event.geo_precision) == (region, 3)


@pytest.mark.parametrize(
    ("text", "event_type", "sub_event_type"),
    [
        ("Сегодня артиллерия обстреляла Грайворон.", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
        (
            "Сьогодні ворог обстріляв Вовчанськ з РСЗВ.",
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
        ),
        ("Сегодня беспилотник атаковал Шебекино.", "Explosions/Remote violence", "Air/drone strike"),
        ("Сьогодні окупанти скинули КАБ на Вовчанськ.", "Explosions/Remote violence", "Air/drone strike"),
        ("Сегодня FPV-дрон ударил по автомобилю в Судже.", "Explosions/Remote violence", "Air/drone strike"),
        ("Сьогодні біля Вовчанська тривали бої.", "Battles", "Armed clash"),
        ("Сегодня ДРГ атаковала Тёткино.", "Battles", "Armed clash"),
        ("Сегодня власти объявили эвакуацию жителей Грайворона.", "Strategic developments", "Other"),
        ("Сьогодні оголошено примусову евакуацію з Вовчанська.", "Strategic developments", "Other"),
    ],
)
def test_event_words_give_the_acled_type(text: str, event_type: str, sub_event_type: str, gazetteer: Gazetteer) -> None:
    event = only(text, gazetteer)
    assert (event.event_type, event.sub_event_type) == (event_type, sub_event_type)


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("Сегодня беспилотник атаковал Шебекино.", dt.date(2024, 5, 8), "day"),
        ("Вчера беспилотник атаковал Шебекино.", dt.date(2024, 5, 7), "day"),
        ("Вчора ворог обстріляв Вовчанськ.", dt.date(2024, 5, 7), "day"),
        ("Ночью беспилотник атаковал Шебекино.", dt.date(2024, 5, 7), "approximate"),
        ("В ночь на 5 мая беспилотник атаковал Белгород.", dt.date(2024, 5, 5), "day"),
        ("У ніч проти 5 травня окупанти атакували Суми дронами.", dt.date(2024, 5, 5), "day"),
        ("В понедельник беспилотник атаковал Шебекино.", dt.date(2024, 5, 6), "day"),
        ("У понеділок ворог обстріляв Вовчанськ.", dt.date(2024, 5, 6), "day"),
        ("Минулої доби ворог обстріляв Вовчанськ.", dt.date(2024, 5, 7), "approximate"),
        ("Беспилотник атаковал Шебекино.", dt.date(2024, 5, 8), "approximate"),  # the day's news
    ],
)
def test_date_forms(text: str, date: dt.date, precision: str, gazetteer: Gazetteer) -> None:
    event = only(text, gazetteer)
    assert (event.date, event.date_precision) == (date, precision)


@pytest.mark.parametrize(
    ("text", "fatalities", "injuries"),
    [
        ("В Климово Брянской области погибли два человека при обстреле.", 2, None),
        ("В результате обстрела Шебекино ранены двое мирных жителей.", None, 2),
        ("В селе Тёткино один человек погиб в результате атаки дрона.", 1, None),
        ("У Нікополі через обстріл поранено трьох людей.", None, 3),
        ("Ворог вдарив по Вовчанську, загинула жінка.", 1, None),
    ],
)
def test_casualties(text: str, fatalities: int | None, injuries: int | None, gazetteer: Gazetteer) -> None:
    event = only(text, gazetteer)
    assert (event.fatalities, event.injuries) == (fatalities, injuries)


@pytest.mark.parametrize(
    ("text", "place", "country", "admin1"),
    [
        # Klimovo: a Bryansk town and a Ukrainian village; the region says which
        ("В Климово Брянской области погибли два человека при обстреле.", "Klimovo", "RU", "Bryansk Oblast"),
        # Nikopol: the Dnipropetrovsk city and a Kharkiv-region village
        ("У Нікополі через обстріл поранено трьох людей.", "Nikopol", "UA", "Dnipropetrovsk Oblast"),
        # Korenevo: in the Kursk region and near Moscow
        ("Дрон атаковал автомобиль в поселке Коренево Курской области.", "Korenevo", "RU", "Kursk Oblast"),
    ],
)
def test_namesakes_are_resolved_by_what_the_text_says(
    text: str, place: str, country: str, admin1: str, gazetteer: Gazetteer
) -> None:
    event = only(text, gazetteer)
    assert (event.location, event.country, event.admin1) == (place, country, admin1)


def test_evidence_is_the_original_sentence_and_the_event_says_its_language(gazetteer: Gazetteer) -> None:
    text = "Сегодня беспилотник атаковал Шебекино. Пострадавших нет, сообщил губернатор."
    article = article_from_text("Атака\n\n" + text, published=PUBLISHED)
    (event,) = extract(article, gazetteer=gazetteer)
    assert event.evidence.startswith("Сегодня беспилотник атаковал Шебекино.")
    assert all(article.text[a:b] in event.evidence for a, b in event.evidence_spans)
    assert (event.language, event.article_title, event.location) == ("ru", "Атака", "Shebekino")


def test_a_settlement_noun_and_its_region_are_glossed_in_english_order(gazetteer: Gazetteer) -> None:
    art = article_from_text("Т\n\nВ поселке Климово Брянской области загорелся дом.", published=PUBLISHED)
    assert gloss_article(art, gazetteer).article.text == (
        "In the settlement of Klimovo in the Bryansk Oblast caught fire house."
    )


def test_a_district_named_by_its_adjective_is_the_town_it_is_named_after(gazetteer: Gazetteer) -> None:
    event = only("Сьогодні ворог обстріляв села Куп'янського району.", gazetteer)
    assert (event.location, event.geo_precision) == ("Kupyansk", 2)


def test_a_list_of_community_adjectives_is_one_event_per_community(gazetteer: Gazetteer) -> None:
    text = "Вчора обстрілів зазнали Юнаківська, Краснопільська та Білопільська громади Сумщини."
    found = events(text, gazetteer)
    assert sorted(e.location for e in found) == ["Bilopillia", "Krasnopillya", "Yunakivka"]
    assert {(e.admin1, e.geo_precision, e.date) for e in found} == {("Sumy Oblast", 2, dt.date(2024, 5, 7))}


def test_a_post_headed_by_its_district_and_a_pronoun_that_is_no_place(gazetteer: Gazetteer) -> None:
    text = (
        "Шебекинский городской округ. В селе Новая Таволжанка дрон атаковал автомобиль, ранен мужчина. "
        "Он получил осколочные ранения."
    )
    article = article_from_text("Новости\n\n" + text, published=PUBLISHED)
    glossed = gloss_article(article, gazetteer).article.text
    assert glossed.startswith("The Shebekino district.") and glossed.endswith("Wounds.")  # «Он» is not a place
    (event,) = extract(article, gazetteer=gazetteer)
    assert (event.location, event.admin1, event.injuries) == ("Novaya Tavolzhanka", "Belgorod Oblast", 1)


@pytest.mark.parametrize(
    "text",
    [
        "Сегодня в Курской области введен режим КТО, сообщил губернатор.",
        "Сегодня в Курской области объявлен режим контртеррористической операции.",
    ],
)
def test_a_counter_terrorist_regime_is_a_strategic_development(text: str, gazetteer: Gazetteer) -> None:
    event = only(text, gazetteer)
    assert (event.event_type, event.admin1, event.date) == (
        "Strategic developments",
        "Kursk Oblast",
        dt.date(2024, 5, 8),
    )


@pytest.mark.parametrize(
    ("text", "injuries"),
    [
        ("Окупанти атакували Херсон дроном: поранено 45-річного чоловіка.", 1),  # an age, not a count
        ("В Белгороде ранены 25-летняя женщина.", 1),
        ("Росіяни обстріляли Херсон, поранено трьох людей.", 3),
    ],
)
def test_ages_are_not_counts(text: str, injuries: int, gazetteer: Gazetteer) -> None:
    assert only(text, gazetteer).injuries == injuries


def test_a_person_after_a_settlement_noun_is_no_settlement(gazetteer: Gazetteer) -> None:
    text = "ВСУ обстреляли Горловку из РСЗО, погиб мирный житель, сообщил глава города Иван Приходько."
    event = only(text, gazetteer)
    assert (event.location, event.fatalities) == ("Horlivka", 1)
