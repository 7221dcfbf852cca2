"""Staff-side survey pages (/surveys/...). Respondent pages are in respond_urls.py."""

from django.urls import path

from .views import builder, dimensions, distribution, entry, questions, responses

app_name = "surveys"
urlpatterns: list = [
    # builder
    path("", builder.survey_list, name="list"),
    path("new/", builder.survey_create, name="create"),
    path("<int:pk>/", builder.survey_detail, name="detail"),
    path("<int:pk>/edit/", builder.survey_edit, name="edit"),
    path("<int:pk>/open/", builder.survey_open, name="open"),
    path("<int:pk>/close/", builder.survey_close, name="close"),
    path("<int:pk>/preview/", builder.survey_preview, name="preview"),
    path("<int:pk>/qr.svg", builder.survey_qr, name="qr"),
    path("<int:pk>/questions/new/", questions.question_create, name="question_create"),
    path("questions/<int:pk>/edit/", questions.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", questions.question_delete, name="question_delete"),
    path("questions/<int:pk>/move/", questions.question_move, name="question_move"),
    path("<int:pk>/versions/new/", builder.version_create, name="version_create"),
    path("<int:pk>/versions/<int:version_pk>/", builder.version_detail, name="version_detail"),
    path(
        "<int:pk>/versions/<int:version_pk>/publish/",
        builder.version_publish,
        name="version_publish",
    ),
    path("items/", dimensions.dimension_list, name="dimensions"),
    path("items/new/", dimensions.dimension_create, name="dimension_create"),
    path("items/<int:pk>/edit/", dimensions.dimension_edit, name="dimension_edit"),
    # distribution, responses, staff entry
    path("<int:pk>/distribute/", distribution.distribute, name="distribute"),
    path("distributions/<int:pk>/", distribution.distribution_detail, name="distribution_detail"),
    path("<int:pk>/triggers/", distribution.triggers, name="triggers"),
    path("triggers/<int:pk>/toggle/", distribution.trigger_toggle, name="trigger_toggle"),
    path("<int:pk>/responses/", responses.response_list, name="responses"),
    path("<int:pk>/waves/", responses.wave_list, name="waves"),
    path("responses/<int:pk>/", responses.response_detail, name="response_detail"),
    path(
        "<int:pk>/responses/export.<str:fmt>",
        responses.response_export,
        name="responses_export",
    ),
    path("<int:pk>/entry/", entry.entry, name="entry"),
]
