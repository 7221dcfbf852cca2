"""Import of customers, purchases and interactions from CSV and Excel files.

Layout: `readers` turn a file into rows of cells, `columns` map headers to fields, `rows`
parse cells into values, one module per kind checks and saves chunks of rows in bulk, and
`services` runs the whole (create a job, preview it, run it, report the failed rows).
"""

from .preview import ImportPreview
from .services import (
    import_cancel,
    import_error_rows,
    import_job_create,
    import_preview,
    import_resume,
    import_run,
    import_start,
)

__all__ = [
    "ImportPreview",
    "import_cancel",
    "import_error_rows",
    "import_job_create",
    "import_preview",
    "import_resume",
    "import_run",
    "import_start",
]
