# Flowdesk's German date and time formats (settings.FORMAT_MODULE_PATH), as German
# business software writes them: "1. Dez. 2026, 14:30", months abbreviated as Duden
# does ("März", "Sept."). Numbers (12.500,50) come from Django's own German formats.
DATE_FORMAT = "j. N Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j. N Y, H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
MONTH_DAY_FORMAT = "j. N"
