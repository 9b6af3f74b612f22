"""Form pieces shared by features: what a forged or empty-looking form gets back."""

import pytest
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField, TextAreaField
from wtforms.validators import Optional

from qualify.core.forms import CheckboxListField, email_address, visible_text


class Form(FlaskForm):
    class Meta:
        csrf = False

    named = CheckboxListField("Namen", choices=[SelectChoice(1, "Anna")], coerce=int)
    body = TextAreaField("Text", validators=[visible_text])
    email = StringField("E-Mail", validators=[Optional(), email_address()])


def test_a_forged_choice_is_refused_in_the_readers_language(app):
    with app.test_request_context("/", method="POST", data={"named": "4"}, headers={"Accept-Language": "de"}):
        form = Form()
        assert not form.validate()
        assert form.errors["named"] == ["Keine gültige Auswahl."]


@pytest.mark.parametrize("text", ["\u200b\u200b", " \u200e\u00a0\n", "\ufeff"])
def test_a_text_of_invisible_characters_only_is_no_text(app, text):
    with app.test_request_context("/", method="POST", data={"body": text}):
        form = Form()
        assert not form.validate()
        assert form.errors["body"] == ["Bitte geben Sie einen Text ein."]


def test_a_text_with_one_visible_letter_is_text(app):
    with app.test_request_context("/", method="POST", data={"body": "\u200bA"}):
        assert Form().validate()


@pytest.mark.parametrize("language, message", [
    ("de", "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@firma.de."),
    ("en", "Please enter a valid email address, e.g. name@company.com."),
])
def test_an_address_that_is_none_is_refused_in_the_words_of_the_app(app, language, message):
    with app.test_request_context("/", method="POST", data={"email": "anna.firma.de"},
                                  headers={"Accept-Language": language}):
        form = Form()
        assert not form.validate()
        assert form.errors["email"] == [message]
