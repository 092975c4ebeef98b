"""Heard's SMS channel: Rasa's Twilio channel made safe for children on shared phones.

Register in credentials.yml (settings come from the environment, so nothing secret is in the file and Rasa
starts even when SMS is not set up):

    bot.channels.sms.HeardSmsInput:

Webhook (give this URL to Twilio, "A message comes in", HTTP POST):  <public base>/webhooks/sms/webhook

Environment:
- TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_NUMBER (or TWILIO_MESSAGING_SERVICE_SID)
- HEARD_SMS_PUBLIC_URL  the exact webhook URL configured in Twilio (signatures are computed over it)
- TWILIO_API_BASE_URL   Twilio's REST API (default https://api.twilio.com; tests point it at loopback)

Every request must carry a valid X-Twilio-Signature (HMAC-SHA1 with the auth token over the public URL and
the form fields): otherwise 403 and nothing happens. Without an auth token every request is refused.

The sender id given to Rasa is ``sms-`` and the number's keyed hash (``children.sms_sender_id``), never the
number: Rasa's conversation store holds no phone numbers, and the action server matches the hash to a
child's stored one. Replies go to the number of the text being answered, held in memory for that request.
Buttons become numbered options; a reply of a number or an option's words becomes that option's payload,
exactly like pressing the button on the web. STOP (and Twilio's other opt-out words) stops every text to the
number until START: the channel asks ``bot.usecases.sms_opt_outs``, which stores it in the database (on the
child's record when the number is a child's, else by the number's keyed hash), so it survives restarts and
holds on every server. Nothing about a message is logged.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qs
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.request_validator import RequestValidator

from bot.channels import sms_text
from bot.config import DEFAULT_TWILIO_API_BASE_URL, get_settings
from bot.keys import require_secret_key
from bot.channels.sms_state import SmsState, shared_state
from bot.services import children
from bot.usecases import sms_opt_outs
from bot.vocabulary import typed_choice

logger = logging.getLogger(__name__)
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)  # its INFO lines describe each request
CHANNEL_NAME = "sms"
DEFAULT_API_BASE_URL = DEFAULT_TWILIO_API_BASE_URL
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


# ---------------------------------------------------------------- opt-out (STOP / START)


async def is_opted_out(phone: str) -> bool:
    """True when nothing may be sent to `phone` (the use case fails closed: if it cannot check, no)."""
    return await asyncio.to_thread(sms_opt_outs.is_opted_out, phone)


# ---------------------------------------------------------------- output


class HeardSmsOutput(TwilioOutput):
    """Sends each bot message as one or more text messages through Twilio's REST API (see `sms_text`)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        twilio_number: str | None,
        *,
        api_base_url: str = DEFAULT_API_BASE_URL,
        messaging_service_sid: str | None = None,
        state: SmsState | None = None,
        to_number: str | None = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        self.to_number = to_number  # the real number for this reply; Rasa only knows the hashed sender id
        self.api.base_url = api_base_url.rstrip("/")
        self.messaging_service_sid = messaging_service_sid
        self.state = state or shared_state()
        self.sent_options = False
        self.sent_parts = 0

    def _create(self, to: str, body: str) -> Any:
        data: dict[str, Any] = {"to": to, "body": body}
        if self.messaging_service_sid:
            data["messaging_service_sid"] = self.messaging_service_sid
        else:
            data["from_"] = self.twilio_number
        return self.messages.create(**data)

    async def deliver(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]] | None = None
    ) -> None:
        """Send one bot message (with its buttons as numbered options) unless the number opted out."""
        recipient_id = self.to_number or recipient_id
        options = [
            {"title": str(b["title"]), "payload": str(b["payload"])}
            for b in buttons or []
            if isinstance(b, dict) and b.get("title") and b.get("payload")
        ]
        if await is_opted_out(recipient_id):
            return
        if options:
            await asyncio.to_thread(self.state.set_options, recipient_id, options)
            self.sent_options = True
        for part in sms_text.sms_parts(text or "", options):
            try:
                await asyncio.to_thread(self._create, recipient_id, part)
                self.sent_parts += 1
            except (TwilioRestException, TwilioException, OSError) as error:
                code = getattr(error, "code", None) or getattr(error, "status", None)
                logger.error("Twilio did not take a text message (%s %s)", type(error).__name__, code)
                return  # do not send later parts out of order

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.deliver(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.deliver(recipient_id, text, buttons)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.deliver(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        logger.debug("images are not sent by SMS")

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        logger.debug("attachments are not sent by SMS")

    async def send_elements(self, recipient_id: str, elements: Any, **kwargs: Any) -> None:
        logger.debug("elements are not sent by SMS")

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        logger.debug("custom messages are not sent by SMS")  # never pass arbitrary fields to Twilio


# ---------------------------------------------------------------- input


class FormFields(dict):
    """Twilio's form fields, INCLUDING empty ones (Twilio signs them; Sanic's `request.form` drops them)."""

    @classmethod
    def parse(cls, request: Request) -> FormFields | None:
        if not (request.content_type or "").startswith("application/x-www-form-urlencoded"):
            return None
        try:
            return cls(parse_qs(request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
        except (UnicodeDecodeError, ValueError):
            return None

    def getall(self, name: str) -> list[str]:
        return list(self[name])

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        values = super().get(name)
        return values[0] if values else default


def _credential(credentials: Dict[str, Any] | None, key: str, fallback: str | None) -> str | None:
    """The value in credentials.yml when one is given (not blank, not an unfilled ``${...}``), else `fallback`."""
    value = (credentials or {}).get(key)
    if isinstance(value, str) and value.strip() and not value.strip().startswith("${"):
        return value.strip()
    return fallback


class HeardSmsInput(TwilioInput):
    """Twilio SMS webhook with signature checks, numbered replies and STOP/START."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        """Settings from the environment (values in credentials.yml, when given, win). Rasa does not start
        the channel without a good HEARD_SECRET_KEY: every number is matched by its keyed hash."""
        require_secret_key()
        sms = get_settings().sms
        return cls(
            _credential(credentials, "account_sid", sms.twilio_account_sid),
            _credential(credentials, "auth_token", sms.twilio_auth_token),
            _credential(credentials, "twilio_number", sms.twilio_number),
            public_url=_credential(credentials, "public_url", sms.public_url),
            api_base_url=_credential(credentials, "api_base_url", sms.twilio_api_base_url),
            messaging_service_sid=_credential(credentials, "messaging_service_sid", sms.twilio_messaging_service_sid),
        )

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        twilio_number: str | None,
        debug_mode: bool = False,
        *,
        public_url: str | None = None,
        api_base_url: str = DEFAULT_API_BASE_URL,
        messaging_service_sid: str | None = None,
        state: SmsState | None = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=debug_mode)
        self.public_url = public_url
        self.api_base_url = api_base_url
        self.messaging_service_sid = messaging_service_sid
        self._state = state
        if not auth_token:
            logger.warning("SMS channel has no TWILIO_AUTH_TOKEN: every SMS webhook request will be refused")

    @property
    def state(self) -> SmsState:
        if self._state is None:
            self._state = shared_state()
        return self._state

    def get_output_channel(self, to_number: str | None = None) -> OutputChannel:
        return HeardSmsOutput(
            self.account_sid,
            self.auth_token,
            self.twilio_number,
            api_base_url=self.api_base_url,
            messaging_service_sid=self.messaging_service_sid,
            state=self.state,
            to_number=to_number,
        )

    def signed_url(self, request: Request) -> str:
        """The URL Twilio signed: the configured public URL (plus any query string), else the request URL."""
        if self.public_url:
            query = request.query_string
            return self.public_url + (("&" if "?" in self.public_url else "?") + query if query else "")
        return request.url

    def is_valid(self, request: Request, form: FormFields) -> bool:
        if not self.auth_token:
            return False
        signature = request.headers.get("X-Twilio-Signature")
        if not signature:
            return False
        return RequestValidator(self.auth_token).validate(self.signed_url(request), form, signature)

    async def handle(
        self, phone: str, text: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """One incoming text: STOP/START, a numbered reply, or a message for Rasa."""
        state = self.state
        change = await asyncio.to_thread(sms_opt_outs.answer_opt_keyword, phone, text)
        if change == "opted_out":
            await asyncio.to_thread(state.clear_options, phone)
            return  # nothing more is sent (Twilio confirms the opt-out itself)
        if change == "opted_in":
            text = "/greet"
        else:
            options = await asyncio.to_thread(state.get_options, phone)
            text = typed_choice(text, options) or text.replace("¡", "@")
        out = self.get_output_channel(to_number=phone)
        assert isinstance(out, HeardSmsOutput)
        sender = children.sms_sender_id(phone)
        try:
            await on_new_message(UserMessage(text, out, sender, input_channel=self.name(), metadata=None))
        except Exception as error:  # Rasa's own channels swallow these too; never log the message
            logger.error("SMS message could not be handled: %s", type(error).__name__)
            if self.debug_mode:
                raise
        if not out.sent_options:  # the last message had no options: a number is just a number now
            await asyncio.to_thread(state.clear_options, phone)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms_webhook = Blueprint("heard_sms_webhook", __name__)

        @sms_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            form = FormFields.parse(request)
            if form is None or not self.is_valid(request, form):
                logger.warning("refused an SMS webhook request without a valid Twilio signature")
                return response.text("", status=403)
            phone = form.get("From")
            text = form.get("Body")
            if not phone or text is None:
                return response.text("", status=400)
            await self.handle(phone, text, on_new_message)
            return response.text(EMPTY_TWIML, status=200, content_type="text/xml")

        return sms_webhook
