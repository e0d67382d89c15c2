"""Email addresses as the list keeps them: one normal form, checked, and hashed.

The whole address is lower-cased: mail systems treat the local part as
case-insensitive in practice, and two rows for Ana@ and ana@ would mean two copies
of every issue. The domain goes to its ASCII (IDNA) form. The hash (sha256 of the
normal form, unkeyed, so rotating the secret key never frees a suppressed address)
is what a suppression keeps once the address itself is deleted.

`for_the_list` is what the subscribe form and imports take in: a normal address whose
domain is a name (not a network address in brackets, not localhost), since whoever
fills in the public form must not have our mail server deliver to an internal host.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from newsdesk.pipeline.errors import InputError

MAX_LENGTH = 254
_validate = EmailValidator()


def normalise(raw: str) -> str:
    """The address in the list's form; InputError when it is not an address."""
    text = (raw or "").strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise InputError("not an email address")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InputError("not an email address (its domain cannot be written)") from None
    address = f"{local}@{domain}".lower()
    if not address.isascii():
        # the validator folds case, so "ſam" passes as "sam"; mail goes out without SMTPUTF8
        raise InputError("not an email address (only ASCII letters before the @)")
    if len(address) > MAX_LENGTH:
        raise InputError(f"an email address has at most {MAX_LENGTH} characters")
    try:
        _validate(address)
    except ValidationError:
        raise InputError("not an email address") from None
    return address


def for_the_list(raw: str) -> str:
    """normalise, refusing an address at a network address ("[10.0.0.1]") or at this
    machine ("localhost"): the form is public, and the mail server must not be made to
    deliver inside its own network. InputError when refused."""
    address = normalise(raw)
    domain = address.rpartition("@")[2]
    if domain.startswith("[") or domain == "localhost" or domain.endswith(".localhost"):
        raise InputError("not an email address the list takes (its domain must be a name)")
    return address


def address_hash(address: str) -> str:
    """sha256 of the normalised address, in hex."""
    return hashlib.sha256(normalise(address).encode()).hexdigest()
