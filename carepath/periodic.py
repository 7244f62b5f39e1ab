"""The care path's step in the periodic run (``booking.periodic.register_step``, from CarepathConfig.ready)."""

from booking.periodic import register_step

from .services import letters


def care_path_step(now):
    return {"gp_letters_made": letters.create_due_letters(now)}


register_step(care_path_step, labels={"gp_letters_made": "Brieven aan de huisarts klaargezet"})
