"""Short helpers to write StreamField content (home.blocks.BodyBlock) as plain data."""


def heading(text, level="h2"):
    return {"type": "heading", "value": {"text": text, "level": level}}


def paragraph(html):
    return {"type": "paragraph", "value": html}


def quote(text, attribution=""):
    return {"type": "quote", "value": {"text": text, "attribution": attribution}}


def faq(*questions, title="Veelgestelde vragen"):
    """``questions`` are (question, answer as HTML) pairs."""
    return {
        "type": "faq",
        "value": {
            "title": title,
            "questions": [{"question": question, "answer": answer} for question, answer in questions],
        },
    }


def call_to_action(text, page):
    return {"type": "call_to_action", "value": {"text": text, "page": page.pk}}


def bullets(*items):
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def steps(*items):
    return "<ol>" + "".join(f"<li>{item}</li>" for item in items) + "</ol>"
