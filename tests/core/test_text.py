"""Plain text helpers: German letters spelt out where only ASCII will do, and sorted where a German looks."""

from flask_babel import force_locale

from qualify.core.i18n import percent, quoted
from qualify.core.text import german_sort_key, spelt_out


def test_german_letters_are_spelt_out_where_only_ascii_will_do():
    assert spelt_out("Größe Übung Ärger Öl") == "Groesse Uebung Aerger Oel"


def test_names_sort_as_in_a_german_dictionary():
    names = ["Zimmermann", "Özdemir", "Paul", "otto", "Ärger", "Arbeit", "Straße", "Strasse", "Abc", "abc"]
    assert sorted(names, key=german_sort_key) == [
        "abc", "Abc", "Arbeit", "Ärger", "otto", "Özdemir", "Paul", "Strasse", "Straße", "Zimmermann"]


def test_quotation_marks_are_the_readers(app):
    with app.test_request_context():
        with force_locale("de"):
            assert quoted("Kostenstelle", "Eintritt") == "„Kostenstelle“, „Eintritt“"
        with force_locale("en"):
            assert quoted("cost centre") == "“cost centre”"


def test_per_cent_is_written_as_each_language_writes_it(app):
    with app.test_request_context():
        with force_locale("de"):
            assert percent(66.67) == "67\u00a0%"  # never broken over two lines
        with force_locale("en"):
            assert percent(70) == "70%"


def test_letters_unicode_does_not_take_apart_sort_with_their_base_letter():
    assert sorted(["Zoe", "Łukasz", "Maria", "Lars"], key=german_sort_key) == ["Lars", "Łukasz", "Maria", "Zoe"]
