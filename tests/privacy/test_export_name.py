"""The download of one's data is named in the reader's language."""

import pytest

from qualify.accounts.roles import Role


@pytest.mark.parametrize(("language", "name"), [("de", "meine-daten.json"), ("en", "my-data.json")])
def test_the_export_file_is_named_in_the_readers_language(client, login, make_user, language, name):
    login(make_user(Role.LEARNER, language=language))
    download = client.get("/meine-daten/export.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="{name}"'
