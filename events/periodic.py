"""The training days' step in the periodic run (``booking.periodic.register_step``, from EventsConfig.ready)."""

from booking.periodic import register_step

from . import services


def training_days_step(now):
    return {
        "training_day_places_given": services.give_free_places(now),
        "training_day_reminders": services.send_reminders(now),
    }


register_step(
    training_days_step,
    labels={
        "training_day_places_given": "Scholing: plekken aan de wachtlijst gegeven",
        "training_day_reminders": "Scholing: herinneringen voor morgen",
    },
)
