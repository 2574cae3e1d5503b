from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("验证码"), max_length=30, required=False)
    file = forms.FileField(label=_("PDF文件"), required=False, help_text=_("可选：上传所持文书的PDF文件，核对其是否被改动。"))

    def clean_file(self):
        f = self.cleaned_data.get("file")
        if f and f.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("文件过大。"))
        return f

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("file"):
            raise forms.ValidationError(_("请输入验证码或上传PDF文件。"))
        return data
