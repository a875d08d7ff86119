"""The NoCloud seed image: what cloud-init (and the kernel before it) reads off the CD."""

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from hostplane.provisioning.adapters.nocloud import SECTOR, seed_image

USER_DATA = "#cloud-config\nwrite_files: []\n"
META_DATA = "instance-id: hp-1\nlocal-hostname: hp-1\n"


def joliet_files(image: bytes) -> dict[str, bytes]:
    """The root directory of the Joliet tree (the second volume descriptor), read back."""
    descriptor = image[17 * SECTOR : 18 * SECTOR]
    assert descriptor[0:6] == b"\x02CD001" and descriptor[88:91] == b"%/E"
    root_sector, root_size = struct.unpack_from("<I", descriptor, 158)[0], SECTOR
    directory = image[root_sector * SECTOR : root_sector * SECTOR + root_size]
    files, offset = {}, 0
    while directory[offset]:
        length, extent, size = (
            directory[offset],
            *struct.unpack_from("<I4xI", directory, offset + 2),
        )
        name_length = directory[offset + 32]
        name = directory[offset + 33 : offset + 33 + name_length]
        if name not in (b"\0", b"\1"):
            files[name.decode("utf-16-be")] = image[extent * SECTOR : extent * SECTOR + size]
        offset += length
    return files


def test_the_seed_holds_user_data_and_meta_data_under_their_own_names() -> None:
    image = seed_image(USER_DATA, META_DATA)
    assert joliet_files(image) == {"meta-data": META_DATA.encode(), "user-data": USER_DATA.encode()}
    assert len(image) % SECTOR == 0


@pytest.mark.skipif(shutil.which("blkid") is None, reason="util-linux's blkid is not installed")
def test_blkid_sees_an_iso9660_filesystem_labelled_cidata(tmp_path: Path) -> None:
    path = tmp_path / "seed.iso"
    path.write_bytes(seed_image(USER_DATA, META_DATA))
    probed = subprocess.run(
        ["blkid", "-p", "-o", "export", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert {"TYPE=iso9660", "LABEL=cidata"} <= set(probed)
