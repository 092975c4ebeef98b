"""The one rule for a child's contact on a record (``bot.services.phone_vault.seal_contact``): every phone number
in the words, and the number of "Text me at this number", is sealed; the words keep the way only. No database."""

from __future__ import annotations

import pytest

from bot.services import phone_vault
from bot.services.phone_vault import contact_phone, seal_contact, unsealed_contact


@pytest.mark.parametrize(("words", "kept", "number"), [
    ("phone: 07700 900123", "phone", "+447700900123"),
    ("text: 07700900123", "text", "+447700900123"),
    ("07700 900123", None, "+447700900123"),
    ("call me on 07700 900123 2 evenings", "call me on [number] 2 evenings", "+447700900123"),
    ("text me on +44 (0)7700 900456 please", "text me on [number] please", "+447700900456"),
    ("ring (0161) 496 0000", "ring [number]", "+441614960000"),
    ("phone: 0044 7700 900123", "phone", "+447700900123"),
    ("phone: +33 6 12 34 56 78", "phone", "+33612345678"),
    ("this_number: +447700900321", "this_number", "+447700900321"),  # as written before migration 0022
])
def test_every_number_is_taken_out_and_sealed(words, kept, number):
    sealed = seal_contact(words)
    assert sealed.words == kept
    assert contact_phone(sealed.phone_encrypted) == number and number not in sealed.phone_encrypted


@pytest.mark.parametrize("words", ["carer", "other: kit@example.org", "after school on 20-12-2026", "after 5pm",
                                   "school", None, ""])
def test_words_without_a_number_are_kept_and_nothing_is_sealed(words):
    assert seal_contact(words) == phone_vault.SealedContact(words, None)


def test_this_number_comes_first_and_a_number_given_twice_is_kept_once():
    sealed = seal_contact("this_number", "+447700900321")
    assert sealed.words == "this_number" and contact_phone(sealed.phone_encrypted) == "+447700900321"
    both = seal_contact("or 07700 900321 or 07700 900999", "+447700900321")
    assert contact_phone(both.phone_encrypted) == "+447700900321, +447700900999"
    assert both.words == "or [number] or [number]"


def test_a_number_not_from_this_sms_conversation_is_never_kept():
    from bot.services.children import sms_sender_id

    other = phone_vault.encrypt_phone("+447700900999")
    assert phone_vault.contact_to_keep(sms_sender_id("+447700900321"), "this_number", other).phone_encrypted is None
    assert phone_vault.contact_to_keep("web-1", "this_number", phone_vault.encrypt_phone("+447700900321")) == (
        phone_vault.SealedContact("this_number", None))


@pytest.mark.parametrize(("words", "back"), [
    ("phone: 07700 900123", "phone: +447700900123"),
    ("07700 900123", "+447700900123"),
    ("call me on 07700 900123 after 5", "call me on +447700900123 after 5"),
    ("carer", "carer"),
])
def test_the_downgrade_puts_the_number_back_where_it_stood(words, back):
    sealed = seal_contact(words)
    assert unsealed_contact(sealed.words, sealed.phone_encrypted) == back


def test_a_token_sealed_with_another_key_opens_nothing():
    assert contact_phone("gAAAAAB-not-a-token") is None and contact_phone(None) is None
