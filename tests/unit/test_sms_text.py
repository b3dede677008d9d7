"""SMS arithmetic and the provider's JSON body: pure functions, no app."""

from __future__ import annotations

import json

import pytest

from idp.notify.sms import request_body, segments


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("é" * 306, 2),  # é, è, à, ù are in the GSM alphabet
        ("a" * 307, 3),
        ("€" * 80, 1),  # the extension table: two septets each
        ("€" * 81, 2),
        ("ê" + "a" * 69, 1),  # one character outside the alphabet: UCS-2
        ("ê" + "a" * 70, 2),
        ("’" + "a" * 133, 2),
        ("ç" + "a" * 134, 3),
        ("🙂" * 35, 1),  # two UTF-16 units each
        ("🙂" * 36, 2),
    ],
)
def test_segments(text, count):
    assert segments(text) == count


VALUES = {"to": "+33612345678", "text": "Texte", "sender": "MonEspace", "id": "abc123"}


def test_values_go_into_the_strings_of_the_template():
    body = request_body('{"to": "{to}", "text": "{text}", "n": 1, "ok": true}', VALUES)
    assert json.loads(body) == {"to": "+33612345678", "text": "Texte", "n": 1, "ok": True}


def test_placeholders_inside_longer_strings_and_nested_values():
    template = '{"m": [{"d": ["{to}"], "t": "[{sender}] {text} ({id})"}], "{to}": "key kept"}'
    assert json.loads(request_body(template, VALUES)) == {
        "m": [{"d": ["+33612345678"], "t": "[MonEspace] Texte (abc123)"}],
        "{to}": "key kept",
    }


@pytest.mark.parametrize(
    "text",
    ['guillemet " ici', "ligne\nsuivante", "barre \\ oblique", '"}, "to": "+1555', "{to} {id}"],
)
def test_texts_are_escaped_never_spliced(text):
    body = request_body('{"to": "{to}", "text": "{text}"}', {**VALUES, "text": text})
    assert json.loads(body) == {"to": "+33612345678", "text": text}


def test_body_is_utf8():
    body = request_body('{"text": "{text}"}', {**VALUES, "text": "sécurité"})
    assert "sécurité".encode() in body
