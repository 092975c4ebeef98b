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

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels import sms_inbound, sms_turn
from bot.channels.sms_sender import SmsSender
from bot.config import DEFAULT_TWILIO_API_BASE_URL, get_settings
from bot.keys import require_secret_key
from bot.channels.sms_state import SmsState, shared_state
from bot.services import children, phone_vault
from bot.dialogue.messages import render
from bot.usecases import sms_inbound as inbound_usecases
from bot.usecases import sms_opt_outs
from bot.usecases import sms_outbound
from bot.vocabulary import as_sent, typed_choice

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
    """Collects the bot messages of one turn; ``flush()`` makes them the fewest text messages (``sms_turn``:
    one header, each part in its own encoding, options whole) and queues them for the send workers
    (``sms_sender``). Nothing is sent to Twilio here, so the webhook answers Twilio at once."""

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
        sender: SmsSender | None = None,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        self.to_number = to_number  # the real number for this reply; Rasa only knows the hashed sender id
        self.api.base_url = api_base_url.rstrip("/")
        self.messaging_service_sid = messaging_service_sid
        self.state = state or shared_state()
        self.sender = sender
        self.turn: list[tuple[str, list[dict[str, str]]]] = []
        self.recipient: str | None = None
        self.sent_options = False
        self.sent_parts = 0

    async def deliver(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]] | None = None
    ) -> None:
        """Keep one bot message (with its buttons) for this turn's texts."""
        self.recipient = self.to_number or recipient_id
        self.turn.append((text or "", sms_turn.options_of(buttons)))

    async def flush(self) -> sms_turn.TurnText:
        """Queue this turn's texts (none when the number opted out or nothing was said) and wake the workers."""
        messages, self.turn = self.turn, []
        turn = sms_turn.compose(messages) if messages else sms_turn.TurnText([])
        if not turn.parts or self.recipient is None or await is_opted_out(self.recipient):
            return sms_turn.TurnText([])
        if await asyncio.to_thread(sms_outbound.queue_turn, self.recipient, turn.parts, turn.options):
            self.sent_options = bool(turn.options)
            self.sent_parts += len(turn.parts)
            if self.sender is not None:
                self.sender.wake()
            return turn
        return sms_turn.TurnText([])

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
        self._sender: SmsSender | None = None
        if not auth_token:
            logger.warning("SMS channel has no TWILIO_AUTH_TOKEN: every SMS webhook request will be refused")

    @property
    def state(self) -> SmsState:
        if self._state is None:
            self._state = shared_state()
        return self._state

    @property
    def sender(self) -> SmsSender:
        """This process's send workers (``sms_sender``), made on first use with this channel's settings."""
        if self._sender is None:
            self._sender = SmsSender(
                self.account_sid, self.auth_token, self.twilio_number,
                messaging_service_sid=self.messaging_service_sid, api_base_url=self.api_base_url, state=self.state,
            )
        return self._sender

    def start_sending(self) -> None:
        """Start the send workers on the running loop (once)."""
        if self.auth_token and (self.twilio_number or self.messaging_service_sid):
            self.sender.start()

    def get_output_channel(self, to_number: str | None = None) -> OutputChannel:
        return HeardSmsOutput(
            self.account_sid,
            self.auth_token,
            self.twilio_number,
            api_base_url=self.api_base_url,
            messaging_service_sid=self.messaging_service_sid,
            state=self.state,
            to_number=to_number,
            sender=self.sender,
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
        if change is not None:  # STOP ends any open form, nothing sent; START greets with a fresh conversation
            await asyncio.to_thread(state.clear_options, phone)
            await self.restart(phone, on_new_message)
        if change == "opted_out":
            return  # nothing more is sent (Twilio confirms the opt-out itself)
        if change == "opted_in":
            text = "/greet"
        elif text.strip() in sms_inbound.STOP_QUESTIONS:
            text = "/stop"  # "reply 0 to stop these questions": SMS's own word for the web's Stop button
        else:
            options = await asyncio.to_thread(state.get_options, phone)
            # A number or an option's words is that option; a typed "/..." is words, never an intent payload.
            text = typed_choice(text, options) or as_sent(text.replace("¡", "@"), ())
        out = self.get_output_channel(to_number=phone)
        assert isinstance(out, HeardSmsOutput)
        sender = children.sms_sender_id(phone)
        try:
            # The sealed number rides with the text, so "text me at this number" can be kept for the advocacy
            # service (checked against this conversation id: bot.services.phone_vault.number_of_sms_conversation).
            sealed = {"phone_token": phone_vault.encrypt_phone(phone)}
            await on_new_message(UserMessage(text, out, sender, input_channel=self.name(), metadata=sealed))
        except Exception as error:  # Rasa's own channels swallow these too; never log the message
            logger.error("SMS message could not be handled: %s", type(error).__name__)
            if self.debug_mode:
                raise
        turn = await out.flush()  # queued; the options are remembered once Twilio accepts the text carrying them
        if not turn.parts:  # nothing was said: a number is just a number now
            await asyncio.to_thread(state.clear_options, phone)

    async def restart(self, phone: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Tell Rasa to forget this number's conversation (an open form ends, nothing is sent); whatever Rasa
        says back is dropped."""
        sender = children.sms_sender_id(phone)
        try:
            await on_new_message(UserMessage("/restart", CollectingOutputChannel(), sender,
                                             input_channel=self.name(), metadata=None))
        except Exception as error:  # never log the message
            logger.error("SMS conversation could not be restarted: %s", type(error).__name__)

    async def receive(self, form: FormFields, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """A checked text: once per MessageSid, within the number's rate limit unless it may be about harm,
        a picture answered in words; then the number is kept (encrypted) on any alert it raised."""
        phone, text = str(form.get("From")), str(form.get("Body") or "")
        verdict = await asyncio.to_thread(inbound_usecases.accept_text, str(form.get("MessageSid")), phone)
        if not verdict.first:
            return  # a replay: handled once already
        picture = sms_inbound.media(form)
        over_limit = verdict.texts_last_minute > get_settings().sms.rate_per_minute
        if over_limit and not await asyncio.to_thread(sms_inbound.may_matter, text, picture is not None):
            return  # a flood: dropped, but never a text that may be about harm
        if picture is not None:
            await self.picture(phone, text, picture, on_new_message)
        else:
            await self.handle(phone, text, on_new_message)
        await asyncio.to_thread(inbound_usecases.keep_number, phone)

    async def picture(self, phone: str, text: str, media: sms_inbound.Media,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """A picture (MMS): recorded, never fetched; answered in words. Its words are checked: a clear disclosure
        goes to Rasa (alert, safe answer); words about an injury or what someone did raise an alert here, with
        the safe answer; anything else goes to Rasa as a text."""
        words = text.strip()
        await asyncio.to_thread(inbound_usecases.record_picture, phone, media.count, media.content_types,
                                bool(words))
        out = self.get_output_channel(to_number=phone)
        sender = children.sms_sender_id(phone)
        await out.send_response(sender, {"text": render("sms_picture", channel=CHANNEL_NAME)["text"]})
        tier = await asyncio.to_thread(sms_inbound.lexicon_tier, words) if words else None
        if words and tier != "clear" and (tier or sms_inbound.picture_words_point_at_harm(words)):
            await asyncio.to_thread(inbound_usecases.raise_picture_alert, phone, text, None, "picture with words")
            for name in ("safeguarding", "safeguarding_offer"):
                message = render(name, channel=CHANNEL_NAME)
                await out.send_response(sender, {"text": message["text"], "buttons": message["buttons"]})
            await out.flush()
            return
        await out.flush()
        if words:
            await self.handle(phone, text, on_new_message)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms_webhook = Blueprint("heard_sms_webhook", __name__)

        @sms_webhook.listener("after_server_start")
        async def start_sending(_app: Any, _loop: Any) -> None:
            self.start_sending()  # also texts queued by the web app or before a restart

        @sms_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            form = FormFields.parse(request)
            if form is None or not self.is_valid(request, form):
                logger.warning("refused an SMS webhook request without a valid Twilio signature")
                return response.text("", status=403)
            reason = sms_inbound.refusal(form, self.account_sid, self.twilio_number, self.messaging_service_sid)
            if reason:  # not a text for us, or not from a phone number (issue 19)
                logger.warning("refused an SMS webhook request (%s)", reason)
                return response.text("", status=403 if reason in ("account", "to") else 400)
            self.start_sending()  # in case the server started without its listeners (tests)
            await self.receive(form, on_new_message)
            return response.text(EMPTY_TWIML, status=200, content_type="text/xml")

        return sms_webhook
