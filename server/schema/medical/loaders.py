"""Per-request loaders for appointments, their visits and status history, and the accounts
named beside them."""

from __future__ import annotations

from tortoise.expressions import Q, Subquery

from server import models
from server.domain.access import Viewer, appointment_scope, colleague_scope
from server.schema.dataloaders import RowByIdLoader, RowByKeyLoader, RowsByKeyLoader


def _of_visible_appointments(viewer: Viewer) -> Q:
    visible = models.MedicalAppointment.filter(appointment_scope(viewer)).values("id")
    return Q(appointment_id__in=Subquery(visible))


class AppointmentByIdLoader(RowByIdLoader[models.MedicalAppointment]):
    model = models.MedicalAppointment

    def where(self) -> Q:
        return appointment_scope(self.viewer)


class AppointmentsByResidentLoader(RowsByKeyLoader[models.MedicalAppointment]):
    """A resident's appointments, by start time."""

    model, key = models.MedicalAppointment, "resident_id"

    def where(self) -> Q:
        return appointment_scope(self.viewer)


class VisitByAppointmentLoader(RowByKeyLoader[models.MedicalVisit]):
    model, key = models.MedicalVisit, "appointment_id"

    def where(self) -> Q:
        return _of_visible_appointments(self.viewer)


class StatusChangesByAppointmentLoader(RowsByKeyLoader[models.AppointmentStatusChange]):
    model, key = models.AppointmentStatusChange, "appointment_id"

    def where(self) -> Q:
        return _of_visible_appointments(self.viewer)


class ColleagueByIdLoader(RowByIdLoader[models.User]):
    """An account named beside an appointment or session the viewer sees."""

    model = models.User

    def where(self) -> Q:
        return colleague_scope(self.viewer)
