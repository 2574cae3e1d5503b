from django.urls import path

from . import views

app_name = "negotiation"
urlpatterns = [
    path("", views.negotiation_list, name="list"),
    path("new/", views.negotiation_create, name="create"),
    path("<int:pk>/", views.negotiation_detail, name="detail"),
    path("<int:pk>/live/", views.live_fragment, name="live_fragment"),
    path("<int:pk>/representatives/<str:side>/", views.representatives_edit, name="representatives"),
    path("<int:pk>/terms/new/", views.term_add, name="term_add"),
    path("<int:pk>/terms/<int:term_pk>/revise/", views.term_revise, name="term_revise"),
    path("<int:pk>/terms/<int:term_pk>/versions/", views.term_versions, name="term_versions"),
    path("<int:pk>/rounds/new/", views.round_add, name="round_add"),
    path("<int:pk>/drafts/<int:draft_pk>/comments/", views.comments_overview, name="comments"),
    path("<int:pk>/drafts/<int:draft_pk>/links/", views.links_issue, name="links_issue"),
    path("<int:pk>/c/<str:token>/", views.public_comment, name="public_comment"),
]
