"""Office files (.docx, .xlsx: zip packages) that are the same bytes for the same
content, so that a build rewrites only what changed and two builds compare equal.

The libraries stamp each zip member, and the document's properties, with the time of
writing; :func:`stable_package` stamps them all with one fixed time instead.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

#: The first (zip) time stamp there is.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: The creation and change time written into the documents' properties.
FIXED_TIME = datetime(*ZIP_TIME)


def stable_package(data: bytes) -> bytes:
    """The package with every member stamped ``ZIP_TIME``, in the same order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info))
    return out.getvalue()
