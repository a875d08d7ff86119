"""A NoCloud seed: the small ISO 9660 image cloud-init reads a server's user data from.

cloud-init's NoCloud datasource looks, at boot, for a filesystem labelled `cidata` holding the
files `user-data` and `meta-data` (Proxmox's own cloud-init drive is such an image). ISO 9660
names allow no '-', so the files are named a second time in a Joliet tree, which Linux reads
in preference to the plain one; both trees point at the same file data.
"""

import struct
from datetime import UTC, datetime

SECTOR = 2048
LABEL = "cidata"
# Sectors 0-15 are the system area; the volume descriptors follow, then our own tables.
PRIMARY, JOLIET, TERMINATOR = 16, 17, 18
PATH_TABLES = {PRIMARY: (19, 20), JOLIET: (21, 22)}  # (little-endian, big-endian)
ROOTS = {PRIMARY: 23, JOLIET: 24}
FIRST_FILE = 25
PATH_TABLE_SIZE = 10  # one entry: the root


def seed_image(user_data: str, meta_data: str) -> bytes:
    """A `cidata` ISO image holding `user-data` and `meta-data`."""
    files = {"meta-data": meta_data.encode(), "user-data": user_data.encode()}
    extents: dict[str, int] = {}
    next_sector = FIRST_FILE
    for name, content in files.items():
        extents[name] = next_sector
        next_sector += max(1, -(-len(content) // SECTOR))
    now = datetime.now(UTC)
    image = bytearray(next_sector * SECTOR)
    for tree in (PRIMARY, JOLIET):
        _put(image, tree, _volume_descriptor(tree, next_sector, now))
        little, big = PATH_TABLES[tree]
        _put(image, little, struct.pack("<BBIH", 1, 0, ROOTS[tree], 1) + b"\0\0")
        _put(image, big, struct.pack(">BBIH", 1, 0, ROOTS[tree], 1) + b"\0\0")
        entries = [
            _record(extents[name], len(content), 0, _identifier(name, tree), now)
            for name, content in files.items()
        ]
        _put(image, ROOTS[tree], _directory(ROOTS[tree], entries, now))
    _put(image, TERMINATOR, b"\xffCD001\x01")
    for name, content in files.items():
        _put(image, extents[name], content)
    return bytes(image)


def _put(image: bytearray, sector: int, data: bytes) -> None:
    image[sector * SECTOR : sector * SECTOR + len(data)] = data


def _both16(value: int) -> bytes:
    return struct.pack("<H", value) + struct.pack(">H", value)


def _both32(value: int) -> bytes:
    return struct.pack("<I", value) + struct.pack(">I", value)


def _identifier(name: str, tree: int) -> bytes:
    """A file's name: UCS-2 in the Joliet tree, 8.3 upper case (`USERDATA.;1`) in the other."""
    if tree == JOLIET:
        return name.encode("utf-16-be")
    return name.replace("-", "").upper().encode("ascii") + b".;1"


def _text(value: str, size: int, tree: int) -> bytes:
    if tree == JOLIET:
        return (value.encode("utf-16-be") + " ".encode("utf-16-be") * size)[:size]
    return value.encode("ascii").ljust(size, b" ")


def _record(extent: int, size: int, flags: int, identifier: bytes, now: datetime) -> bytes:
    """A directory record; flags 2 marks a directory."""
    padding = b"\0" if len(identifier) % 2 == 0 else b""
    length = 33 + len(identifier) + len(padding)
    recorded = bytes([now.year - 1900, now.month, now.day, now.hour, now.minute, now.second, 0])
    return (
        struct.pack("<BB", length, 0)
        + _both32(extent)
        + _both32(size)
        + recorded
        + struct.pack("<BBB", flags, 0, 0)
        + _both16(1)
        + struct.pack("<B", len(identifier))
        + identifier
        + padding
    )


def _directory(sector: int, entries: list[bytes], now: datetime) -> bytes:
    itself = _record(sector, SECTOR, 2, b"\0", now)
    parent = _record(sector, SECTOR, 2, b"\1", now)
    return itself + parent + b"".join(entries)


def _volume_descriptor(tree: int, sectors: int, now: datetime) -> bytes:
    descriptor = bytearray(SECTOR)
    descriptor[0:7] = bytes([1 if tree == PRIMARY else 2]) + b"CD001\x01"
    descriptor[8:40] = _text("LINUX", 32, tree)
    descriptor[40:72] = _text(LABEL, 32, tree)
    descriptor[80:88] = _both32(sectors)
    if tree == JOLIET:
        descriptor[88:91] = b"%/E"  # UCS-2 level 3
    descriptor[120:124] = _both16(1)
    descriptor[124:128] = _both16(1)
    descriptor[128:132] = _both16(SECTOR)
    descriptor[132:140] = _both32(PATH_TABLE_SIZE)
    little, big = PATH_TABLES[tree]
    descriptor[140:144] = struct.pack("<I", little)
    descriptor[148:152] = struct.pack(">I", big)
    descriptor[156:190] = _record(ROOTS[tree], SECTOR, 2, b"\0", now)
    descriptor[190:702] = _text("", 512, tree)  # volume set, publisher, preparer, application
    descriptor[702:813] = _text("", 111, tree)  # copyright, abstract and bibliography files
    stamp = now.strftime("%Y%m%d%H%M%S00").encode() + b"\0"
    unset = b"0" * 16 + b"\0"
    descriptor[813:881] = stamp + stamp + unset + unset
    descriptor[881] = 1
    return bytes(descriptor)
