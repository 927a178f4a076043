"""Personal data as people read it: what is held about a person, what the privacy log says, and
the keys of a person's export. Pure: French wording marked for the catalogue, translated where shown.

The export (right of access) has stable keys, in French whatever the language of its labels, so
that a program reading it needs one set; they are documented in docs/personal-data-export.md.
"""
from __future__ import annotations

from .text import N_, N_plural

# What the personal-data page lists, in this order; each count with its French singular and plural.
HELD_KINDS = ("connect_requests", "applications", "talk_contacts")
COUNT_LABELS = {
    "connect_requests": N_plural("%(num)d demande d'échange", "%(num)d demandes d'échange"),
    "applications": N_plural("%(num)d candidature", "%(num)d candidatures"),
    "talk_contacts": N_plural("%(num)d adresse de contact d'intervention",
                              "%(num)d adresses de contact d'intervention"),
    "votes": N_plural("%(num)d vote", "%(num)d votes"),
    "questions_anonymised": N_plural("%(num)d question anonymisée", "%(num)d questions anonymisées"),
    "import_drafts": N_plural("%(num)d import non terminé", "%(num)d imports non terminés"),
}
# The privacy log's actions (services/privacy writes them to the audit trail).
ACTION_LABELS = {
    "export_person": N_("Export des données d'une personne"),
    "erase_person": N_("Effacement des données d'une personne"),
    "purge": N_("Effacement des données arrivées au terme de leur conservation"),
}
PRIVACY_ACTIONS = tuple(ACTION_LABELS)

# Each processing of the notice and its legal basis (GDPR article 6): a public body's mission for
# the evening itself, the person's consent for handing their details to a talk's team.
LEGAL_BASES = (
    (N_("Questions au public et identifiant aléatoire du téléphone"),
     N_("mission d'intérêt public (article 6, 1, e du RGPD) : l'animation de l'écosystème numérique du territoire")),
    (N_("Demandes « Je veux échanger » et transmission de vos coordonnées à l'équipe choisie"),
     N_("votre consentement (article 6, 1, a du RGPD), que vous pouvez retirer à tout moment")),
    (N_("Candidatures et préparation des interventions"),
     N_("mission d'intérêt public (article 6, 1, e du RGPD) : l'appel à manifestation d'intérêt et la soirée")),
)

# -- the export's keys: column → key, for each kind of record (columns not listed are internal) --

EXPORT_VERSION = 1
EXPORT_LANGUAGES = ("fr", "en")
REQUEST_KEYS = {
    "name": "nom", "organisation": "organisation", "email": "email", "phone": "telephone",
    "intent": "souhait", "message": "message", "consent_text": "consentement", "consented_at": "consenti_le",
    "locale": "langue", "status": "suivi", "created_at": "envoyee_le",
}
APPLICATION_KEYS = {
    "reference": "reference", "received_at": "recue_le", "status": "statut", "decided_at": "decidee_le",
    "project_name": "projet", "organisation": "structure", "applicant_type": "type_de_structure",
    "applicant_type_detail": "type_de_structure_precise", "address": "adresse", "website": "site_web",
    "referent_name": "referent_nom", "referent_role": "referent_fonction", "referent_phone": "referent_telephone",
    "referent_email": "referent_email", "talk_kind": "type_d_intervention", "description": "description",
    "situation": "situation", "exp_what_why": "experimentation_quoi_pourquoi", "exp_site": "experimentation_lieu",
    "exp_target": "experimentation_public", "needs": "besoins", "fb_positive": "retour_points_positifs",
    "fb_negative": "retour_points_negatifs", "fb_advice": "retour_conseils", "fb_next": "retour_suites",
    "language": "langue",
}
MESSAGE_KEYS = {
    "kind": "type", "language": "langue", "to_name": "destinataire", "to_email": "email", "subject": "objet",
    "body": "texte", "state": "etat", "created_at": "prepare_le", "sent_at": "envoye_le",
}
ANSWER_KEYS = {
    "answer": "reponse", "answered_at": "repondu_le", "equipment": "materiel", "microphone": "micro",
    "accessibility": "besoins_d_accessibilite",
}
