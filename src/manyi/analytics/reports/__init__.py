"""The satisfaction report of a survey and period: assembled once (`build`), shown as a page
and exported as Excel and PDF, and mailed on a schedule (`schedule`)."""
