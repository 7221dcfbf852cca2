"""The default message templates (话术), in Chinese and English."""

from django.db import migrations

TEMPLATES = [
    ("thanks", "感谢反馈", "zh-hans", "感谢您的反馈（{case_no}）",
     "{customer_name}您好：\n\n感谢您抽出时间告诉我们您的意见，我们已记录在工单 {case_no} 中，"
     "会认真改进。\n\n{agent}\n{company}"),
    ("thanks", "Thank you", "en", "Thank you for your feedback ({case_no})",
     "Dear {customer_name},\n\nThank you for taking the time to tell us what you think. It is "
     "recorded as case {case_no} and we will act on it.\n\n{agent}\n{company}"),
    ("apology", "致歉与处理结果", "zh-hans", "关于您反映的问题（{case_no}）",
     "{customer_name}您好：\n\n对于{product}给您带来的不便，我们深表歉意。您反映的问题"
     "（工单 {case_no}）已处理完毕。如仍有问题，请直接回复此邮件。\n\n{agent}\n{company}"),
    ("apology", "Apology and resolution", "en", "About the problem you reported ({case_no})",
     "Dear {customer_name},\n\nWe are sorry for the trouble with {product}. The problem you "
     "reported (case {case_no}) has been dealt with. If anything is still wrong, just reply "
     "to this message.\n\n{agent}\n{company}"),
    ("needs", "需求询问", "zh-hans", "想听听您的需求",
     "{customer_name}您好：\n\n为了更好地为您服务，想了解您近期在使用{product}方面还有哪些需求？"
     "\n\n{agent}\n{company}"),
    ("needs", "Asking about needs", "en", "What do you need from us?",
     "Dear {customer_name},\n\nTo serve you better, we would like to know what else you need "
     "from {product}.\n\n{agent}\n{company}"),
    ("check_in", "定期回访", "zh-hans", "回访：{product}使用情况",
     "{customer_name}您好：\n\n您购买的{product}使用得还顺利吗？有任何问题都可以随时联系我们。"
     "\n\n{agent}\n{company}"),
    ("check_in", "Periodic check-in", "en", "How is your {product}?",
     "Dear {customer_name},\n\nIs everything going well with your {product}? Contact us any "
     "time if something is not right.\n\n{agent}\n{company}"),
    ("care", "节日关怀", "zh-hans", "节日快乐",
     "{customer_name}您好：\n\n值此佳节，祝您和家人节日快乐、万事如意！\n\n{company}"),
    ("care", "Holiday greetings", "en", "Season's greetings",
     "Dear {customer_name},\n\nWe wish you and your family a happy holiday.\n\n{company}"),
]  # fmt: skip


def create(apps, schema_editor):
    template = apps.get_model("cases", "MessageTemplate")
    template.objects.bulk_create(
        template(purpose=purpose, name=name, language=language, subject=subject, body=body)
        for purpose, name, language, subject, body in TEMPLATES
    )


def remove(apps, schema_editor):
    apps.get_model("cases", "MessageTemplate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_message_templates")]

    operations = [migrations.RunPython(create, remove)]
