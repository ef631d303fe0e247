"""The file store: ids, paths, what each media object says about a file."""

from __future__ import annotations

import samples

from devtools.standin.files import FileStore

from .api_schema import assert_conforms


def test_ids_paths_and_lookup() -> None:
    store = FileStore()
    first = store.add("document", b"%PDF-1.4 one", file_name="one.pdf")
    second = store.add("document", b"%PDF-1.4 one", file_name="copy.pdf")
    assert first.file_id != second.file_id  # a new file_id per upload...
    assert first.file_unique_id == second.file_unique_id  # ...the same unique id for the same bytes
    assert first.file_path == "documents/file_1.pdf"
    assert store.get(first.file_id) is first
    assert store.by_path(second.file_path) is second
    assert store.get("nope") is None and store.by_path("documents/file_9.pdf") is None
    assert first.as_file() == {
        "file_id": first.file_id,
        "file_unique_id": first.file_unique_id,
        "file_size": 12,
        "file_path": "documents/file_1.pdf",
    }
    assert_conforms(first.as_file(), "File")


def test_a_photo_has_a_smaller_size_first() -> None:
    store = FileStore()
    photo = store.add_photo(samples.jpeg(640, 480))
    sizes = photo.as_photo()
    assert [(s["width"], s["height"]) for s in sizes] == [(90, 68), (640, 480)]
    assert sizes[-1]["file_id"] == photo.file_id  # the upload itself is the largest, last size
    assert store.get(sizes[0]["file_id"]) is not None  # the thumbnail is a real file too
    other = store.add_photo(samples.png(640, 480))
    assert other.as_photo()[0]["file_unique_id"] != sizes[0]["file_unique_id"]
    tiny = store.add_photo(samples.png(60, 40))
    assert len(tiny.as_photo()) == 1
    for size in sizes:
        assert_conforms(size, "PhotoSize")


def test_media_objects_carry_what_the_file_says() -> None:
    store = FileStore()
    voice = store.add("voice", samples.ogg_opus(4))
    assert voice.as_media("voice") == {
        "file_id": voice.file_id,
        "file_unique_id": voice.file_unique_id,
        "duration": 4,
        "mime_type": "audio/ogg",
        "file_size": len(voice.data),
    }
    video = store.add("video", samples.mp4(1280, 720, 7), file_name="clip.mp4")
    shown = video.as_media("video")
    assert (shown["width"], shown["height"], shown["duration"]) == (1280, 720, 7)
    assert shown["file_name"] == "clip.mp4" and shown["mime_type"] == "video/mp4"
    audio = store.add("audio", b"ID3\x03rest", file_name="song.mp3", extra={"performer": "X", "title": "Y"})
    animation = store.add("animation", samples.gif(48, 32), file_name="a.gif")
    sticker = store.add("sticker", samples.webp(512, 512), extra={"emoji": "😀"})
    for stored, kind, type_name in (
        (voice, "voice", "Voice"),
        (video, "video", "Video"),
        (audio, "audio", "Audio"),
        (animation, "animation", "Animation"),
        (sticker, "sticker", "Sticker"),
        (store.add("document", b"x", file_name="x.txt"), "document", "Document"),
    ):
        assert_conforms(stored.as_media(kind), type_name)
    assert audio.as_media("audio")["performer"] == "X"
    assert sticker.as_media("sticker")["emoji"] == "😀"


def test_generated_files_are_made_once_per_key() -> None:
    store = FileStore()
    made: list[int] = []

    def make():
        made.append(1)
        return store.add("sticker", samples.png(), extra={"emoji": "🙂"})

    assert store.add_once("sticker:🙂", make) is store.add_once("sticker:🙂", make)
    assert len(made) == 1
