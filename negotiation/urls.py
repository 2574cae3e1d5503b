app_name = "negotiation"
urlpatterns: list = []
