"""Plain text helpers: German letters spelt out where only ASCII will do."""

from qualify.core.text import spelt_out


def test_german_letters_are_spelt_out_where_only_ascii_will_do():
    assert spelt_out("Größe Übung Ärger Öl") == "Groesse Uebung Aerger Oel"
