"""Reading the blocks of JPEG and WebP files from their bytes, without Pillow, so that a test of
the metadata sees what a hostile reader of the file would see."""

import struct


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """Every marker of a JPEG up to its first scan, with its payload, then the scan's end."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    at, segments = 2, []
    while True:
        assert data[at] == 0xFF, f"no marker at {at}"
        marker = data[at + 1]
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        segments.append((marker, data[at + 4 : at + 2 + length]))
        at += 2 + length
        if marker == 0xDA:
            break
    # After the scan: only restart markers inside, then the end of the image, then nothing.
    while True:
        at = data.index(b"\xff", at)
        following = data[at + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            at += 2
            continue
        segments.append((following, b""))
        assert following == 0xD9, f"marker {following:#x} after the scan"
        assert at + 2 == len(data), "bytes after the end of the image"
        return segments


def riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", "not a WebP"
    at, chunks = 12, []
    while at < len(data):
        kind = data[at : at + 4]
        (size,) = struct.unpack("<I", data[at + 4 : at + 8])
        chunks.append((kind, data[at + 8 : at + 8 + size]))
        at += 8 + size + (size & 1)
    return chunks
