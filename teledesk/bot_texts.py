"""Everything the bot says on its own, in one place, in Spanish and English.

The customer's Telegram `language_code` picks the language ("es-419" counts as "es"); anything
else gets the desk's default language (`DESK_DEFAULT_LANGUAGE`).
"""

from __future__ import annotations

LANGUAGES = ("es", "en")

TEXTS: dict[str, dict[str, str]] = {
    "start": {
        "es": "¡Hola, {name}! Has llegado al soporte de {organisation}. Cuéntanos en qué podemos ayudarte "
              "y una persona del equipo te responderá aquí mismo.",
        "en": "Hi {name}! You have reached {organisation} support. Tell us how we can help and a person "
              "from the team will answer you right here.",
    },
    "help": {
        "es": "Escribe tu pregunta con todo el detalle que puedas; puedes enviar fotos, documentos, notas "
              "de voz o tu ubicación. Un agente te contestará en este chat.",
        "en": "Write your question with as much detail as you can; you can send photos, documents, voice "
              "notes or your location. An agent will answer you in this chat.",
    },
    "out_of_hours": {
        "es": "Gracias por escribirnos. Ahora estamos fuera de horario ({hours}, hora de {timezone}); "
              "te responderemos en cuanto abramos.",
        "en": "Thanks for your message. We are outside our opening hours right now ({hours}, {timezone} "
              "time); we will answer as soon as we open.",
    },
    "callback_received": {
        "es": "¡Gracias!",
        "en": "Thank you!",
    },
    "closing": {
        "es": "Como no hemos vuelto a saber de ti, damos esta conversación por cerrada. Si necesitas algo "
              "más, escríbenos aquí cuando quieras.",
        "en": "As we have not heard back from you, we are closing this conversation. If you need anything "
              "else, write to us here any time.",
    },
    "csat_question": {
        "es": "¿Qué tal te hemos atendido? Elige de 1 a 5 estrellas.",
        "en": "How did we do? Choose 1 to 5 stars.",
    },
    "csat_chosen": {
        "es": "¿Qué tal te hemos atendido? Tu valoración: {stars}",
        "en": "How did we do? Your rating: {stars}",
    },
    "csat_thanks": {
        "es": "¡Gracias por tu valoración!",
        "en": "Thank you for your rating!",
    },
    "csat_not_counted": {
        "es": "Esta valoración no se ha guardado: la encuesta ya estaba respondida o cerrada.",
        "en": "This rating was not recorded: the survey was already answered or is closed.",
    },
}


def language_for(language_code: str | None, default: str) -> str:
    base = (language_code or "").split("-", 1)[0].lower()
    return base if base in LANGUAGES else default


def bot_text(key: str, language_code: str | None, default_language: str = "es", **values: str) -> str:
    return TEXTS[key][language_for(language_code, default_language)].format(**values)
