"""Small, real-looking files for the media tests, built byte by byte (no fixtures on disk)."""

from __future__ import annotations

import struct

from devtools.standin import media


def png(width: int = 320, height: int = 240) -> bytes:
    return media.flat_png(width, height, (10, 120, 200))


def jpeg(width: int = 640, height: int = 480) -> bytes:
    """A JPEG's headers up to its frame (APP0, a quantisation table, SOF0): enough for any size reader."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(64))
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + app0 + dqt + sof0 + b"\xff\xda\x00\x08" + bytes(6) + b"\xff\xd9"


def gif(width: int = 48, height: int = 32) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def webp(width: int = 512, height: int = 512) -> bytes:
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little")
    vp8x += (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


def _ogg_page(granule: int, packet: bytes, sequence: int) -> bytes:
    header = b"OggS\x00" + bytes([0x02 if sequence == 0 else 0x04])
    header += struct.pack("<qIIIB", granule, 1, sequence, 0, 1) + bytes([len(packet)])
    return header + packet


def ogg_opus(seconds: int = 3) -> bytes:
    """A voice note's container: OpusHead (pre-skip 312) and a last page at `seconds`."""
    head = b"OpusHead\x01\x01" + struct.pack("<HIhB", 312, 48_000, 0, 0)
    return _ogg_page(0, head, 0) + _ogg_page(seconds * 48_000 + 312, b"\x00" * 10, 1)


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def mp4(width: int = 1280, height: int = 720, seconds: int = 7) -> bytes:
    """ftyp + moov(mvhd, trak(tkhd)), version-0 boxes as most encoders write them."""
    mvhd = _box(b"mvhd", b"\x00" * 4 + struct.pack(">IIII", 0, 0, 1000, seconds * 1000) + b"\x00" * 80)
    tkhd = _box(b"tkhd", b"\x00\x00\x00\x03" + b"\x00" * 72 + struct.pack(">II", width << 16, height << 16))
    return _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + _box(b"moov", mvhd + _box(b"trak", tkhd))
