"""An attachment is judged by its bytes: base64, its size, its type by magic, its name."""

from dataclasses import dataclass

import pytest

from hostplane.contracts.attachments import (
    AttachmentLimits,
    AttachmentRefused,
    check_attachments,
    safe_filename,
)

from .files import EXECUTABLE, PDF, PNG, b64

LIMITS = AttachmentLimits(max_bytes=1024, max_count=2)


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: str


def test_a_png_a_pdf_and_a_log_are_kept_with_their_digest_and_size() -> None:
    files = check_attachments(
        [Upload("shot.png", "image/png", b64(PNG)), Upload("r.pdf", "application/pdf", b64(PDF))],
        LIMITS,
    )
    assert [(f.filename, f.content_type, f.size) for f in files] == [
        ("shot.png", "image/png", len(PNG)),
        ("r.pdf", "application/pdf", len(PDF)),
    ]
    assert len(files[0].sha256) == 64
    text = check_attachments([Upload("boot.log", "text/plain", b64(b"kernel: ok\n"))], LIMITS)
    assert text[0].content_type == "text/plain"


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (Upload("a.png", "image/png", "not base64!"), "not base64"),
        (Upload("a.png", "image/png", b64(PNG + b"\x00" * 1024)), "at most 1024 bytes"),
        (Upload("a.exe", "application/x-msdownload", b64(EXECUTABLE)), "is not accepted"),
        (Upload("a.png", "image/png", b64(EXECUTABLE)), "its content is not image/png"),
        (Upload("a.txt", "text/plain", b64(PNG)), "its content is not text/plain"),
        (Upload("a.pdf", "application/pdf", b64(PNG)), "its content is not application/pdf"),
        (Upload("a.txt", "text/plain", ""), "empty"),
    ],
)
def test_a_file_that_is_not_what_it_claims_or_too_big_is_refused(
    upload: Upload, reason: str
) -> None:
    with pytest.raises(AttachmentRefused, match=reason):
        check_attachments([upload], LIMITS)


def test_more_files_than_a_message_may_carry_are_refused() -> None:
    three = [Upload(f"{n}.png", "image/png", b64(PNG)) for n in range(3)]
    with pytest.raises(AttachmentRefused, match="at most 2 files"):
        check_attachments(three, LIMITS)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\shot.png", "shot.png"),
        ("we$ird;name`rm -rf`.png", "we_ird_name_rm -rf_.png"),
        ("\x00\x1f..", "attachment"),
        (".hidden", "hidden"),
        ("a" * 300 + ".png", "a" * 251 + ".png"),
    ],
)
def test_filenames_are_reduced_to_one_safe_name(given: str, kept: str) -> None:
    assert safe_filename(given) == kept
