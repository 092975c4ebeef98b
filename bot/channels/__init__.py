"""Rasa input channels Heard adds to Rasa's own: SMS through Twilio (`bot.channels.sms.HeardSmsInput`)."""
