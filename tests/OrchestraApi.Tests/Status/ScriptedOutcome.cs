using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;

namespace OrchestraApi.Tests.Status;

/// <summary>The scripted outcome status history and baseline tests share.</summary>
internal static class ScriptedOutcome
{
    public static readonly DateOnly March1 = new(2027, 3, 1);

    /// <summary>
    /// The scripted outcome: a launch film (advertising, March 1–10) and a welcome mailing (CRM, March 21–31), a short
    /// activity for public relations and digital (a plan needs one to be submitted), then every plan approved.
    /// </summary>
    public static async Task<(ActivityDetails Film, ActivityDetails Mailing)> FilmAndMailingApprovedAsync(ConnectionWorld w)
    {
        var film = await w.ActivityAsync(Discipline.Advertising, "Launch film", March1, March1.AddDays(9));
        var mailing = await w.ActivityAsync(Discipline.Crm, "Welcome mailing", March1.AddDays(20), March1.AddDays(30));
        await w.ActivityAsync(Discipline.PublicRelations, "Press note", March1, March1.AddDays(1));
        await w.ActivityAsync(Discipline.Digital, "Banner", March1, March1.AddDays(1));
        await w.ApproveAllAsync();
        return (film, mailing);
    }

    public static Task<ActivityDetails> MoveAsync(ConnectionWorld w, ActivityDetails a, DateOnly starts, DateOnly ends) =>
        w.Sides[w.DisciplineOf(a)].Plans.RescheduleActivityAsync(a.PlanId, a.Id, a.Version, new RescheduleActivityRequest { StartsOn = starts, EndsOn = ends });
}
