"""The English catalogue is complete: every interface text in the code has an English translation.

The source texts are Dutch. A text added later without an English translation fails here, with the
texts listed; `make messages` then adds them to locale/en/LC_MESSAGES/django.po to translate (README.md).
The messages are collected from the source the way `make messages` does (Django's makemessages, which
uses GNU gettext's xgettext), into a scratch folder, so the committed catalogue is never touched.
"""

import ast
import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

REPO = Path(settings.BASE_DIR)
CATALOGUE = REPO / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# What `make messages` leaves out; any other folder at the top of the repository is searched.
NOT_SOURCE = {"locale", "node_modules", "staticfiles", "media"}

# Skipped on a machine without GNU gettext, never in CI (.ci/run installs it there).
needs_gettext = pytest.mark.skipif(
    (shutil.which("xgettext") is None or shutil.which("msgfmt") is None) and not os.environ.get("CI"),
    reason="GNU gettext (xgettext, msgfmt) is not installed; .ci/run installs it",
)


def read_po(path):
    """The entries of a .po file: {(context, msgid, plural): {"strings": [...], "fuzzy": bool}}.

    Only what this test needs of the format, as GNU gettext writes it: one entry per block of lines,
    blocks apart by an empty line; strings continued on the next lines. Obsolete entries (#~) are left out.
    """
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, field, fuzzy, places = {}, None, False, []
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#:"):
                places.extend(line[2:].split())
            elif line.startswith("#,"):
                fuzzy = "fuzzy" in line
            elif line.startswith('"') and field:
                fields[field][-1] += ast.literal_eval(line)
            elif line and not line.startswith("#"):
                keyword, _, text = line.partition(" ")
                field = "msgstr" if keyword.startswith("msgstr") else keyword
                fields.setdefault(field, []).append(ast.literal_eval(text))
        if "msgid" not in fields or fields["msgid"] == [""]:
            continue  # the header, or only obsolete lines
        key = (fields.get("msgctxt", [None])[0], fields["msgid"][0], fields.get("msgid_plural", [None])[0])
        entries[key] = {"strings": fields.get("msgstr", []), "fuzzy": fuzzy, "places": places}
    return entries


def source_messages(scratch):
    """Every message in the project's templates and Python code, collected by Django's makemessages."""
    tree = scratch / "source"
    tree.mkdir()
    for entry in REPO.iterdir():
        if entry.name.startswith(".") or entry.name in NOT_SOURCE:
            continue
        (tree / entry.name).symlink_to(entry)
    locale = scratch / "locale"
    (locale / "en" / "LC_MESSAGES").mkdir(parents=True)
    here = Path.cwd()
    os.chdir(tree)
    try:
        with override_settings(LOCALE_PATHS=[str(locale)]):
            call_command("makemessages", locale=["en"], symlinks=True, ignore_patterns=["node_modules"], verbosity=0)
    finally:
        os.chdir(here)
    return read_po(locale / "en" / "LC_MESSAGES" / "django.po")


def describe(key, places=()):
    context, msgid, plural = key
    text = f"  msgid {msgid!r}"
    if plural:
        text += f" / plural {plural!r}"
    if context:
        text += f" (context {context!r})"
    if places:
        text += f"  [{', '.join(places[:3])}]"
    return text


@needs_gettext
def test_every_interface_text_has_an_english_translation(tmp_path):
    catalogue = read_po(CATALOGUE)
    found = source_messages(tmp_path)
    assert len(found) > 1000, "makemessages found almost no messages: the search itself is broken"

    missing = sorted(key for key in found if key not in catalogue)
    untranslated = sorted(
        key
        for key in found
        if key in catalogue and (catalogue[key]["fuzzy"] or not all(s.strip() for s in catalogue[key]["strings"]))
    )
    problems = []
    if missing:
        problems.append(f"{len(missing)} text(s) in the code are not in the English catalogue yet:")
        problems.extend(describe(key, found[key]["places"]) for key in missing)
    if untranslated:
        problems.append(f"{len(untranslated)} text(s) have no (or only a fuzzy) English translation:")
        problems.extend(describe(key, found[key]["places"]) for key in untranslated)
    if problems:
        problems.append(
            "Run `make messages`, translate these in locale/en/LC_MESSAGES/django.po (remove any '#, fuzzy' "
            "after checking), then `make messages` again to compile, and commit the .po and .mo."
        )
    assert not problems, "\n".join(problems)


@needs_gettext
def test_the_english_catalogue_keeps_every_placeholder():
    """msgfmt's own check: %(name)s and the like in a translation are exactly those of the Dutch text."""
    result = subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "-o", os.devnull, str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_compiled_catalogue_is_the_current_one():
    """The committed .mo says what the .po says (compile after translating: `make messages`)."""
    with COMPILED.open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = []
    for (context, msgid, plural), entry in read_po(CATALOGUE).items():
        if entry["fuzzy"] or not all(entry["strings"]):
            continue
        if plural:
            shown = (
                translations.npgettext(context, msgid, plural, 1)
                if context
                else translations.ngettext(msgid, plural, 1)
            )
        else:
            shown = translations.pgettext(context, msgid) if context else translations.gettext(msgid)
        if shown != entry["strings"][0]:
            stale.append(describe((context, msgid, plural)))
    assert not stale, "locale/en/LC_MESSAGES/django.mo is older than the .po; run `make messages`:\n" + "\n".join(
        stale[:20]
    )
