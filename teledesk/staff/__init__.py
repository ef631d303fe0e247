"""The staff forum topic per conversation (DESK_STAFF_CHAT_ID; docs/telegram.md).

`lines`: how the desk's things read in a topic (the topic's name, each mirrored line, the summary
a new topic starts with). `mirror`: which event of the pipeline is mirrored, as what. `room`: the
forum itself, a conversation's topic made once, kept, and made again when an admin deleted or
closed it, every send paced to Telegram's group limit. `staff`: what a staff member's message in a
topic is (an answer, a note, a command) and what it does. The step is functions/staffroom.py.
"""

STAFF_TOPIC = "staff_topic"  # `extra["source"]` of an answer written in a staff topic
