"""Background work for accounts."""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django_tasks import task


@task()
def password_reset_send(
    *,
    email: str,
    domain: str,
    use_https: bool,
    language: str = "",
    subject_template_name: str = "registration/password_reset_subject.txt",
    email_template_name: str = "registration/password_reset_email.html",
    html_email_template_name: str | None = None,
    from_email: str | None = None,
) -> None:
    """Send the password reset e-mail to each active user with a usable password at `email`
    (none when no account has it), in the language the reset was asked in.

    Safe to run twice: a second run sends another mail whose link works as well as the first.
    """
    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        form.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name=subject_template_name,
            email_template_name=email_template_name,
            html_email_template_name=html_email_template_name,
            from_email=from_email,
            extra_email_context={"site_name": "满意 manyi"},
        )
