# Flowdesk's English date and time formats (settings.FORMAT_MODULE_PATH): one way to
# write a moment on every page, 24-hour, month as a word so no reader mixes up 3/4 and 4/3.
# Locales without a module here use Django's own formats for that locale.
DATE_FORMAT = "M j, Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "M j, Y, H:i"
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y, H:i"
MONTH_DAY_FORMAT = "M j"
