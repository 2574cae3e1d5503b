"""Django's ModelBackend, reading the signed-in user with their organisation and its region in one query.

Every page and API answer looks at the user's organisation (the scope of every list, the header) and most at
its region: loaded lazily they were two more queries on every request."""
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        UserModel = get_user_model()
        try:
            user = UserModel._default_manager.select_related("organisation", "organisation__region").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
