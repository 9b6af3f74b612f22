"""Addresses with umlauts before the @ are refused with a way to write them that mail servers deliver."""

from qualify.accounts.addresses import local_part_problem


def test_an_umlaut_before_the_at_is_refused_with_the_address_spelt_out(app):
    with app.test_request_context():
        assert "z. B. joerg.jaeger@firma.de" in local_part_problem("jörg.jäger@firma.de")
        assert local_part_problem("joerg@firma.de") is None


def test_no_spelt_out_example_is_offered_when_it_would_be_no_address_either(app):
    with app.test_request_context():
        problem = local_part_problem("hans müller@firma.de")

    assert "mueller" not in problem and "z. B." not in problem
    assert "so angeben, wie sie im Mailsystem steht" in problem
