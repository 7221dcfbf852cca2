"""The evaluated items every installation starts with; weights sum to 1 (METHODS.md, CSI)."""

from decimal import Decimal

from django.db import migrations

DIMENSIONS = [
    ("product_quality", "产品质量", "Product quality", "0.20"),
    ("price", "价格", "Price", "0.15"),
    ("delivery", "按时配送", "Delivery on time", "0.15"),
    ("service_attitude", "服务态度", "Service attitude", "0.15"),
    ("response_speed", "响应速度", "Response speed", "0.10"),
    ("after_sales", "售后服务", "After-sales service", "0.10"),
    ("channels", "沟通渠道", "Communication channels", "0.05"),
    ("brand", "品牌形象", "Brand image", "0.10"),
]


def seed(apps, schema_editor):
    Dimension = apps.get_model("surveys", "Dimension")
    for position, (code, zh, en, weight) in enumerate(DIMENSIONS, start=1):
        Dimension.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "default_weight": Decimal(weight),
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
