"""Reading sizes, durations and types from file headers; writing small PNGs."""

from __future__ import annotations

import struct
import zlib

import pytest
import samples

from devtools.standin import media


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (samples.png(320, 240), (320, 240)),
        (samples.jpeg(640, 480), (640, 480)),
        (samples.gif(48, 32), (48, 32)),
        (samples.webp(512, 300), (512, 300)),
        (b"BM" + bytes(16) + struct.pack("<ii", 20, -10) + bytes(30), (20, 10)),
        (b"not an image at all", None),
        (b"\x89PNG\r\n\x1a\n", None),  # truncated
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None),  # JPEG without a frame header
    ],
)
def test_image_size(data: bytes, size: tuple[int, int] | None) -> None:
    assert media.image_size(data) == size


@pytest.mark.parametrize(
    ("data", "filename", "declared", "expected"),
    [
        (samples.png(), "photo.bin", "application/octet-stream", "image/png"),  # content wins
        (samples.jpeg(), None, None, "image/jpeg"),
        (samples.ogg_opus(), "voice", None, "audio/ogg"),
        (samples.mp4(), "clip", None, "video/mp4"),
        (b"%PDF-1.7", "invoice", None, "application/pdf"),
        (b"hello", "notes.txt", None, "text/plain"),  # then the name
        (b"hello", None, "text/csv; charset=utf-8", "text/csv"),  # then what the client said
        (b"hello", None, None, "application/octet-stream"),
    ],
)
def test_mime_type(data: bytes, filename: str | None, declared: str | None, expected: str) -> None:
    assert media.mime_type(data, filename, declared) == expected


def test_extensions_follow_telegrams_file_paths() -> None:
    assert media.extension("image/jpeg") == "jpg"
    assert media.extension("audio/ogg") == "oga"
    assert media.extension("application/x-unknown-thing") == "bin"


def test_ogg_and_mp4_durations() -> None:
    assert media.ogg_duration(samples.ogg_opus(3)) == 3
    assert media.ogg_duration(b"RIFF....") is None
    assert media.mp4_info(samples.mp4(1280, 720, 7)) == (1280, 720, 7)
    assert media.mp4_info(samples.png()) is None


def test_png_writer_makes_valid_files() -> None:
    image = media.disc_png(64, (255, 255, 255), (200, 0, 0))
    assert media.image_size(image) == (64, 64)
    # Walk the chunks and check each CRC, then inflate the pixels.
    index, idat = 8, b""
    while index < len(image):
        (length,) = struct.unpack(">I", image[index : index + 4])
        kind, body = image[index + 4 : index + 8], image[index + 8 : index + 8 + length]
        (crc,) = struct.unpack(">I", image[index + 8 + length : index + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc
        idat += body if kind == b"IDAT" else b""
        index += 12 + length
    pixels = zlib.decompress(idat)
    assert len(pixels) == 64 * (1 + 64 * 3)
    centre = 32 * (1 + 64 * 3) + 1 + 32 * 3
    assert pixels[centre : centre + 3] == bytes((200, 0, 0))  # the disc
    assert pixels[1:4] == bytes((255, 255, 255))  # the corner


def test_palette_colours_are_stable() -> None:
    assert media.palette_color(7) == media.palette_color(7)
    assert media.palette_color(7, light=True) != media.palette_color(7)


def test_transparent_png_for_stickers() -> None:
    image = media.disc_png(32, None, (10, 20, 30))
    assert image[25] == 6  # colour type RGBA
    assert media.image_size(image) == (32, 32)
