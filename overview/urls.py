app_name = "overview"
urlpatterns: list = []
