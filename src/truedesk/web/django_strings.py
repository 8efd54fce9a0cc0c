"""Django's own relative-time strings, marked here so `make messages` keeps our fixes.

Django's Lithuanian catalogue lacks the words of `naturaltime`/`timesince` and its
Ukrainian one uses the wrong grammatical case, so our catalogues carry corrected
entries (they are read before Django's). makemessages only keeps entries it
finds in our source; this module is that source. It is never imported.
See docs/translating.md, "Django's own strings".
"""

from django.utils.translation import gettext_lazy, ngettext_lazy, npgettext_lazy

# Translators: Django's own string (humanize naturaltime, timesince): Django's catalogue
# lacks or mistranslates it. See docs/translating.md, "Django's own strings".
DJANGO_RELATIVE_TIME = (
    npgettext_lazy("naturaltime-past", "%(num)d year", "%(num)d years", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d month", "%(num)d months", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d week", "%(num)d weeks", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d day", "%(num)d days", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d hour", "%(num)d hours", "num"),
    npgettext_lazy("naturaltime-past", "%(num)d minute", "%(num)d minutes", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d year", "%(num)d years", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d month", "%(num)d months", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d week", "%(num)d weeks", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d day", "%(num)d days", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d hour", "%(num)d hours", "num"),
    npgettext_lazy("naturaltime-future", "%(num)d minute", "%(num)d minutes", "num"),
    ngettext_lazy("a second from now", "%(count)s seconds from now", "count"),
    ngettext_lazy("a minute from now", "%(count)s minutes from now", "count"),
    ngettext_lazy("an hour from now", "%(count)s hours from now", "count"),
    gettext_lazy("%(delta)s from now"),
    gettext_lazy(", "),
)
