"""Checking what clients send, once, for the portal forms and the JSON API alike.

Every problem becomes an :class:`InputError` whose message can be shown to the
person who sent it; routes turn it into a 400 page or a 400 JSON body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from kb.web.catalog import Catalog
from kb.search.engine import QueryError, clean_query
from kb.content.visible_text import clean_text
from kb.ops.contact_details import MAX_ORDER_CHARS, clean_order_number
from kb.ops.database import MAX_COMMENT_CHARS, MAX_QUESTION_CHARS, MAX_ROW_ID

MAX_LIMIT = 50
MAX_ID = MAX_ROW_ID  # a larger id in a URL is unknown, not an error
MAX_EMAIL_CHARS = 254
MAX_TOKEN_CHARS = 64  # a search, vote or form token in a request (longer ones are never issued)
# allowed in an address by RFC 5322 but with a meaning in URLs: no customer needs them
_URL_SYNTAX_IN_EMAIL = re.compile(r"[?&%#/\\]")


class InputError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SearchParams:
    q: str
    lang: str | None
    category: str | None
    limit: int


_SUBMISSION = re.compile(r"[A-Za-z0-9_-]{8,64}")


def submission_id(value) -> str | None:
    """A form's or an API client's id for one request sent (Idempotency-Key), or None."""
    return value if isinstance(value, str) and _SUBMISSION.fullmatch(value) else None


def language_code(value: str | None) -> str | None:
    """A language as browsers and clients send it ("DE", "de-DE", "en_GB") as the index's
    code ("de", "en"); None for none."""
    if not value:
        return None
    return value.strip().replace("_", "-").split("-", 1)[0].lower() or None


def search_params(args, catalog: Catalog, languages: list[str], default_limit: int = 10,
                  internal: bool = False) -> SearchParams:
    try:
        q = clean_query(args.get("q", ""))
    except QueryError as exc:
        raise InputError(str(exc), "q") from exc
    lang = language_code(args.get("lang"))
    if lang is not None and lang not in languages:
        raise InputError(f"unknown language '{lang[:20]}': use one of {', '.join(languages)}", "lang")
    category = args.get("category") or None
    if category is not None and not any(c.slug == category for c in catalog.categories(None, internal)):
        raise InputError(f"unknown category '{category[:60]}': see /api/categories", "category")
    raw_limit = args.get("limit")
    if raw_limit in (None, ""):
        limit = default_limit
    else:
        # digits 0-9 only: int() also takes "+5", " 5" and other scripts' digits ("٥")
        if not (isinstance(raw_limit, str) and raw_limit.isascii() and raw_limit.isdigit()):
            raise InputError(f"limit must be a whole number from 1 to {MAX_LIMIT}", "limit")
        limit = int(raw_limit)
        if not 1 <= limit <= MAX_LIMIT:
            raise InputError(f"limit must be from 1 to {MAX_LIMIT}, got {limit}", "limit")
    return SearchParams(q, lang, category, limit)


def _text(data: dict, key: str, max_chars: int, required: bool = False) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(f"'{key}' must be text", key)
    raw = value or ""
    value = clean_text(raw)
    if not value:
        if required and raw.strip():
            raise InputError(f"'{key}' has no readable text (only control characters)", key)
        if required:
            raise InputError(f"'{key}' is required", key)
        return None
    if len(value) > max_chars:
        raise InputError(f"'{key}' is too long ({len(value)} characters, at most {max_chars})", key)
    return value


def email_address(value: str | None) -> str | None:
    """A strictly valid address (no query, no spaces, no display name), normalised; None for none.

    The address becomes a mailto: link in the agents' inbox, so anything that
    could add recipients or headers is refused, not cleaned.
    """
    if value is None:
        return None
    try:
        if _URL_SYNTAX_IN_EMAIL.search(value):
            raise EmailNotValidError("URL syntax in an email address")
        checked = validate_email(value, check_deliverability=False, allow_display_name=False,
                                 allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError as exc:
        raise InputError("the email address does not look right (example: name@example.com)", "email") from exc
    return checked.normalized


def _flag(value, key: str, from_json: bool = False) -> bool:
    """JSON true/false; from a form also 'yes'/'no'/'1'/'0'/'on'."""
    if isinstance(value, bool):
        return value
    if from_json:
        raise InputError(f"'{key}' must be true or false (a JSON boolean)", key)
    if isinstance(value, str) and value.lower() in ("1", "yes", "true", "on"):
        return True
    if isinstance(value, str) and value.lower() in ("0", "no", "false"):
        return False
    raise InputError(f"'{key}' must be true or false", key)


@dataclass(frozen=True)
class FeedbackInput:
    article_id: str
    helpful: bool
    comment: str | None
    search_token: str | None
    ballot: str | None = None  # the page view the vote comes from: a vote again replaces it


def feedback_input(data: dict, catalog: Catalog, internal: bool = False, from_json: bool = False) -> FeedbackInput:
    """A vote from the portal's form or (``from_json``) the API's JSON body, whose types are strict."""
    article_id = _text(data, "article_id", 300, required=True)
    if catalog.get(article_id, internal) is None:
        raise InputError(f"unknown article '{article_id[:100]}'", "article_id")
    if "helpful" not in data:
        raise InputError("'helpful' is required (true or false)", "helpful")
    helpful = _flag(data["helpful"], "helpful", from_json)
    ballot = submission_id(data.get("ballot"))
    if from_json and data.get("ballot") is not None and ballot is None:
        raise InputError("'ballot' must be 8 to 64 letters, digits, '-' or '_'", "ballot")
    return FeedbackInput(article_id, helpful, _text(data, "comment", MAX_COMMENT_CHARS),
                         _text(data, "search_id", MAX_TOKEN_CHARS), ballot)


@dataclass(frozen=True)
class ContactInput:
    question: str
    email: str | None
    lang: str | None
    search_token: str | None
    order_number: str | None = None


def contact_input(data: dict, languages: list[str], from_json: bool = False) -> ContactInput:
    """A request from the portal's form or (``from_json``) the API's JSON body, whose types
    are strict; InputError for the first field that is wrong (checked_contact: all of them)."""
    req, errors = checked_contact(data, languages, from_json)
    if errors:
        raise next(iter(errors.values()))
    return req


def checked_contact(data: dict, languages: list[str], from_json: bool = False
                    ) -> tuple[ContactInput | None, dict[str, InputError]]:
    """The request, or None and every field that is wrong (field -> error): a customer
    corrects them all at once (the page orders them as its fields)."""
    values, errors = _contact_fields(data, languages, from_json)
    if errors:
        return None, errors
    return ContactInput(values["question"], values["email"], values["lang"],
                        _text(data, "search_id", MAX_TOKEN_CHARS), values["order_number"]), {}


def _contact_fields(data: dict, languages: list[str], from_json: bool) -> tuple[dict, dict[str, InputError]]:
    """Each field's value, and each wrong field's error."""
    checks = {
        "question": lambda: _text(data, "question", MAX_QUESTION_CHARS, required=True),
        "email": lambda: email_address(_text(data, "email", MAX_EMAIL_CHARS)),
        "consent": lambda: _consent(data, from_json),
        "lang": lambda: _contact_language(data, languages),
        "order_number": lambda: _order_number(data),
    }
    values, errors = {}, {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except InputError as exc:
            errors.setdefault(exc.field or field, exc)
    return values, errors


def _consent(data: dict, from_json: bool) -> bool:
    if not _flag(data.get("consent") or False, "consent", from_json):  # absent, null or "": not given
        raise InputError("please agree that we store your request to answer it", "consent")
    return True


def _contact_language(data: dict, languages: list[str]) -> str | None:
    lang = language_code(_text(data, "lang", 20))
    if lang is not None and lang not in languages:
        raise InputError(f"unknown language '{lang}': use one of {', '.join(languages)}", "lang")
    return lang


def _order_number(data: dict) -> str | None:
    try:
        return clean_order_number(_text(data, "order_number", MAX_ORDER_CHARS + 1))
    except ValueError:
        raise InputError(f"the order number does not look right: letters, digits, single spaces and - / . only, "
                         f"at most {MAX_ORDER_CHARS} characters", "order_number") from None
