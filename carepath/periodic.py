"""The care path's step in the periodic run (``booking.periodic.register_step``, from CarepathConfig.ready)."""

from booking.periodic import register_step

from .services import letters, questionnaires


def care_path_step(now):
    # Within a time budget (GROEPSWIJZER_INVITATIONS_RUN_MS): a backlog is worked off over several runs.
    counts = questionnaires.invite_due(now, seconds=questionnaires.run_budget_seconds())
    counts["gp_letters_made"] = letters.create_due_letters(now)
    return counts


register_step(
    care_path_step,
    labels={
        "questionnaires_invited": "Uitnodigingen voor vragenlijsten",
        "questionnaire_reminders": "Herinneringen voor vragenlijsten",
        "gp_letters_made": "Brieven aan de huisarts klaargezet",
    },
)
