"""Personal data in a member's text: phone numbers, ID numbers, e-mail addresses, house-number
addresses. Found for the editors' card, masked in the published post unless kept.

(Being built: the detection rules and their thresholds will be documented here.)
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import Submission


@dataclass(frozen=True)
class Finding:
    kind: str  # phone | id_number | email | address
    field: str  # the submission's field it is in
    text: str  # as written


def found_in(sub: Submission) -> list[Finding]:
    return []
