using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using OrchestraApi.Baselines;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Results;
using OrchestraApi.Segments;

namespace OrchestraApi.Platform;

/// <summary>
/// Success answers in the contract show a real answer, not Swagger UI's placeholders: one example world — Northwind
/// Coffee's loyalty outcome, its CRM plan with the win-back emails, the advertising TV burst they follow — whose ids and
/// names agree across every operation and with the request examples. An answer's example is built from its JSON
/// metadata: a field the matching request example carries is echoed, the others come from the world by name. A field
/// the world has no value for fails the build, so no placeholder can slip in.
/// </summary>
public static class ContractExamples
{
    /// <summary>The example world's ids (version 7, as the API makes them).</summary>
    public static class Ids
    {
        public static readonly Guid Organisation = new("0197c5a4-1b2c-7d3e-8f40-51a2b3c4d5e6");
        public static readonly Guid Key = new("0197c5a4-1b2c-7d3e-8f40-61a2b3c4d5e7");
        public static readonly Guid Outcome = new("0197c5a4-2a4e-7b8e-9c1d-5f0e4a3b2c1d");
        public static readonly Guid Plan = new("0197c5a4-3c5f-7a10-8b2e-6a1f5b4c3d2e");
        public static readonly Guid AdvertisingPlan = new("0197c5a4-3c5f-7a10-8b2e-6a1f5b4c3d2f");
        public static readonly Guid Activity = new("0197c5a4-4d60-7b21-9c3f-7b2a6c5d4e3f");
        public static readonly Guid AdvertisingActivity = new("0197c5a4-4d60-7b21-9c3f-7b2a6c5d4e40");
        public static readonly Guid Connection = new("0197c5a4-5e71-7c32-8d40-8c3b7d6e5f41");
        public static readonly Guid Segment = new("0197c5a4-6f82-7d43-9e51-9d4c8e7f6a52");
        public static readonly Guid Batch = new("0197c5a4-7093-7e54-8f62-ae5d9f8a7b63");
        public static readonly Guid Result = new("0197c5a4-71a4-7f65-9a73-bf6ea09b8c74");
        public static readonly Guid Baseline = new("0197c5a4-82b5-7076-8b84-c07fb1ac9d85");
        public static readonly Guid Observation = new("0197c5a4-93c6-7187-9c95-d180c2bdae96");
        public static readonly Guid WebhookEndpoint = new("0197c5a4-a4d7-7298-8da6-e291d3cebf07");
        public static readonly Guid WebhookDelivery = new("0197c5a4-b5e8-73a9-9eb7-f3a2e4dfc018");
        public static readonly Guid Trigger = new("0197c5a4-c6f9-74ba-8fc8-04b3f5e0d129");
        public static readonly Guid TriggerFiring = new("8f3c2a71-5d4e-8b6a-9c07-1e2f3a4b5c6d");
        public static readonly Guid Task = new("2b7e4c19-8a3d-8f50-b1c2-d3e4f5a6b7c8");
    }

    private static readonly DateTimeOffset At = new(2027, 4, 1, 9, 30, 0, TimeSpan.Zero);

    /// <summary>Which request example an answer echoes: what was accepted is what is answered.</summary>
    private static readonly Dictionary<Type, Func<object>> Echoes = new()
    {
        [typeof(OrganisationDetails)] = () => CreateOrganisationRequest.Example,
        [typeof(IssuedApiKey)] = () => IssueApiKeyRequest.Example,
        [typeof(ApiKeySummary)] = () => IssueApiKeyRequest.Example,
        [typeof(OutcomeDetails)] = () => DefineOutcomeRequest.Example,
        [typeof(PlanDetails)] = () => DraftPlanRequest.Example,
        [typeof(PlanSummary)] = () => DraftPlanRequest.Example,
        [typeof(ActivityDetails)] = () => ScheduleActivityRequest.Example,
        [typeof(ConnectionDetails)] = () => DefineConnectionRequest.Example,
        [typeof(ResultDetails)] = () => RecordResultsRequest.Example.Rows[0],
        [typeof(KpiObservation)] = () => ObserveKpiRequest.Example,
        [typeof(SegmentDetails)] = () => DefineSegmentRequest.Example,
        [typeof(BaselineDetails)] = () => SaveBaselineRequest.Example,
        [typeof(Webhooks.WebhookEndpointDetails)] = () => Webhooks.RegisterWebhookEndpointRequest.Example,
        [typeof(Triggers.TriggerDetails)] = () => Triggers.DefineTriggerRequest.Example,
    };

    /// <summary>The resource an answer's own <c>id</c> names.</summary>
    private static readonly Dictionary<Type, Guid> OwnIds = new()
    {
        [typeof(OrganisationDetails)] = Ids.Organisation, [typeof(IssuedApiKey)] = Ids.Key, [typeof(ApiKeySummary)] = Ids.Key,
        [typeof(OutcomeDetails)] = Ids.Outcome, [typeof(PlanDetails)] = Ids.Plan, [typeof(PlanSummary)] = Ids.Plan,
        [typeof(ActivityDetails)] = Ids.Activity, [typeof(ConnectionDetails)] = Ids.Connection, [typeof(SegmentDetails)] = Ids.Segment,
        [typeof(ResultDetails)] = Ids.Result, [typeof(BaselineDetails)] = Ids.Baseline, [typeof(KpiObservation)] = Ids.Observation,
        [typeof(Webhooks.WebhookEndpointDetails)] = Ids.WebhookEndpoint, [typeof(Webhooks.WebhookDeliveryDetails)] = Ids.WebhookDelivery,
        [typeof(Triggers.TriggerDetails)] = Ids.Trigger, [typeof(Triggers.TriggerFiringDetails)] = Ids.TriggerFiring, [typeof(Tasks.TaskDetails)] = Ids.Task,
    };

    private static readonly Dictionary<string, Guid> IdsByName = new(StringComparer.Ordinal)
    {
        ["organisationId"] = Ids.Organisation, ["outcomeId"] = Ids.Outcome, ["planId"] = Ids.Plan, ["activityId"] = Ids.Activity,
        ["connectionId"] = Ids.Connection, ["segmentId"] = Ids.Segment, ["batchId"] = Ids.Batch, ["resultId"] = Ids.Result,
        ["endpointId"] = Ids.WebhookEndpoint, ["webhookId"] = new("0197c5a4-a4d7-7298-8da6-e291d3cebfa7"),
        ["triggerId"] = Ids.Trigger, ["firingId"] = Ids.TriggerFiring, ["taskId"] = Ids.Task,
    };

    /// <summary>Values by field: "Type.field" where one name means different things, else "field".</summary>
    private static readonly Dictionary<string, JsonNode?> Values = new(StringComparer.Ordinal)
    {
        // Who and when.
        ["by"] = "Ada Lovelace", ["definedBy"] = "Ada Lovelace", ["takenBy"] = "Ada Lovelace", ["recordedBy"] = "Grace Hopper", ["PlanChange.by"] = "Grace Hopper",
        ["version"] = 3, ["today"] = "2027-04-01", ["since"] = "2027-03-01T00:00:00+00:00", ["until"] = Moment(At),
        ["nextCursor"] = "AZfFpCpOe46cHV8OSjssHQ",

        // Organisations and keys.
        ["IssuedApiKey.key"] = $"orch_{Ids.Organisation:N}_{Ids.Key:N}_4f9c2a7d1e8b3c6a5d0f9e8c7b6a5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e",
        ["IssuedApiKey.disciplines"] = new JsonArray(), ["ApiKeySummary.disciplines"] = new JsonArray(), ["revokedAt"] = null,

        // The outcome and its KPIs.
        ["OutcomeDetails.segmentIds"] = new JsonArray(), ["key"] = "clv", ["unit"] = "EUR",
        ["Kpi.baseline"] = 420, ["Kpi.target"] = 500, ["KpiStanding.baseline"] = 420, ["KpiStanding.target"] = 500,
        ["Kpi.name"] = "Customer lifetime value", ["KpiStanding.name"] = "Customer lifetime value", ["KpiVariance.name"] = "Customer lifetime value",
        ["KpiCatalogueEntry.name"] = "Customer lifetime value", ["outcomes"] = 3,
        ["OutcomeChange.change"] = "defined",
        ["OutcomeChange.summary"] = "Defined 'Grow loyalty-member lifetime value' for Ada Lovelace, 2027-01-01 to 2027-12-31, budget 1,250,000.00 EUR.",
        ["current"] = 452.5, ["observations"] = 1, ["progress"] = 0.40625, ["displayProgress"] = 0.40625, ["elapsed"] = 0.25,
        ["trend"] = "Improving", ["pace"] = "Ahead", ["progressThen"] = 0.2, ["progressNow"] = 0.40625, ["points"] = 20.6,

        // Plans and activities.
        ["budget"] = Money(300_000), ["planned"] = Money(45_000), ["spent"] = Money(12_500), ["remaining"] = Money(255_000),
        ["allocated"] = Money(300_000), ["unallocated"] = Money(950_000), ["activitiesDone"] = 0, ["activitiesTotal"] = 1,
        ["ActivityDetails.connections"] = $"/outcomes/{Ids.Outcome}/connections?activityId={Ids.Activity}",
        ["PlanChange.activityId"] = null, ["PlanChange.change"] = "drafted", ["PlanChange.summary"] = "Drafted plan 'Loyalty CRM plan 2027' for Crm, budget 300,000.00 EUR.",
        ["PlanBudget.discipline"] = "Crm", ["PlanBudget.budget"] = Money(300_000),

        // Connections, the critical path and impact.
        ["ConnectionDetails.from"] = Side(Ids.AdvertisingPlan, Ids.AdvertisingActivity, "Advertising"),
        ["ConnectionDetails.to"] = Side(Ids.Plan, Ids.Activity, "Crm"),
        ["ConnectionDetails.state"] = "Agreed", ["acknowledgedBy"] = new JsonArray("Advertising", "Crm"), ["awaitingAcknowledgementFrom"] = new JsonArray(),
        ["ConnectionChange.change"] = "Defined",
        ["ConnectionChange.summary"] = "Dependency 'Win-back emails follow the TV burst' defined between Advertising and Crm.",
        ["Impact.activityId"] = Ids.AdvertisingActivity.ToString(), ["slipDays"] = 5, ["moveDays"] = 5, ["conflicts"] = new JsonArray(Ids.Connection.ToString()),
        ["ImpactOnDiscipline.discipline"] = "Crm", ["newEarliestStart"] = "2027-03-06",
        ["ScheduledActivity.discipline"] = "Crm", ["earliestStart"] = "2027-03-01", ["earliestFinish"] = "2027-04-30", ["latestStart"] = "2027-03-01",
        ["latestFinish"] = "2027-04-30", ["slackDays"] = 0, ["start"] = "2027-02-01", ["end"] = "2027-04-30", ["spanDays"] = 89,
        ["ImpactedActivity.name"] = "Win-back email series", ["ScheduledActivity.name"] = "Win-back email series", ["ActivityVariance.name"] = "Win-back email series",
        ["kpiKeys"] = new JsonArray("clv"),

        // Results and measures (120,000 reached, 3,600 responses, 410 conversions, 38,950 EUR revenue for 12,500 EUR).
        ["Measures.rows"] = 1, ["reached"] = 120_000, ["impressions"] = 480_000, ["responses"] = 3_600, ["conversions"] = 410,
        ["revenue"] = Money(38_950), ["cost"] = Money(12_500), ["overSpent"] = false,
        ["responseRate"] = Ratio(0.03m), ["conversionRate"] = Ratio(0.113889m), ["costPerResponse"] = Ratio(3.472222m),
        ["costPerConversion"] = Ratio(30.487805m), ["roi"] = Ratio(2.116m),
        ["recorded"] = 1, ["duplicates"] = 0, ["corrections"] = 0, ["index"] = 0, ["warnings"] = new JsonArray(), ["RowAnswer.outcome"] = "Recorded",
        ["DisciplineMeasures.discipline"] = "Crm", ["PlanMeasures.discipline"] = "Crm", ["ActivityMeasures.discipline"] = "Crm",

        // Segments: CLV = margin × r / (1 + d − r) = 100 × 0.8 / 0.3; equity = CLV × 48,000.
        ["clv"] = Money(266.67m), ["equity"] = Money(12_800_000), ["SegmentChange.change"] = "Defined",

        // The feed.
        ["specversion"] = "1.0", ["CloudEvent.id"] = "0197c5a4-a4d7-7298-8da6-e291d3cebfa7", ["CloudEvent.source"] = $"/organisations/{Ids.Organisation}",
        ["CloudEvent.type"] = "orchestra.activity.rescheduled.v1", ["subject"] = $"/plans/{Ids.Plan}/activities/{Ids.Activity}",
        ["datacontenttype"] = "application/json", ["sequence"] = "0000000000000000042", ["partitionkey"] = Ids.Outcome.ToString(),
        ["EventPage.next"] = 42, ["EventPage.head"] = 42,
        ["EventTypeInfo.type"] = "orchestra.activity.rescheduled.v1", ["EventTypeInfo.resource"] = "activity", ["EventTypeInfo.description"] = "An activity's dates or details changed.",
        ["dataSchema"] = "EventDataOfActivityDetails",

        // Webhooks.
        ["WebhookEndpointDetails.enabled"] = true, ["WebhookEndpointDetails.secret"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/vTBU2JGVtk=",
        ["WebhookDeliveryDetails.type"] = "orchestra.activity.rescheduled.v1", ["WebhookDeliveryDetails.position"] = 42, ["WebhookDeliveryDetails.state"] = "Delivered",
        ["WebhookAttempt.status"] = 200, ["WebhookAttempt.durationMs"] = 84, ["WebhookAttempt.response"] = "{\"received\":true}", ["WebhookAttempt.batchId"] = null, ["WebhookAttempt.batchSize"] = null,
        ["WebhookEndpointDetails.maxBatch"] = 1,

        // Triggers.
        ["TriggerScope.outcomeIds"] = new JsonArray(Ids.Outcome.ToString()), ["TriggerScope.disciplines"] = new JsonArray("Crm"), ["TriggerScope.channels"] = new JsonArray(),
        ["TriggerRearm.policy"] = "UntilCleared", ["TriggerRearm.hours"] = null, ["TriggerDetails.enabled"] = true, ["TriggerChange.change"] = "Defined",
        ["TriggerCondition.kind"] = "KpiBehindPace", ["TriggerCondition.kpi"] = "pipeline", ["TriggerCondition.points"] = 10, ["TriggerCondition.progress"] = null,
        ["TriggerCondition.direction"] = null, ["TriggerCondition.trouble"] = null, ["TriggerCondition.metric"] = null, ["TriggerCondition.value"] = null,
        ["TriggerCondition.minRows"] = null, ["TriggerCondition.minSpend"] = null, ["TriggerCondition.level"] = null, ["TriggerCondition.percent"] = null,
        ["TriggerCondition.days"] = null, ["TriggerCondition.rag"] = null,
        ["TriggerFiringDetails.triggerVersion"] = 1, ["TriggerFiringDetails.triggerName"] = "Pipeline falling behind", ["TriggerFiringDetails.subject"] = "kpi pipeline",
        ["TriggerFiringDetails.summary"] = "Qualified pipeline is 12.5 points behind pace (43 % of its way, 55 % of the window gone; more than 10 points fires).",
        ["TriggerFiringDetails.values"] = new JsonObject { ["progress"] = 42.5, ["elapsed"] = 55, ["behindPoints"] = 12.5, ["threshold"] = 10 },
        ["TriggerFiringDetails.positions"] = new JsonArray(1041, 1042), ["TriggerFiringDetails.disciplines"] = new JsonArray(), ["TriggerFiringDetails.state"] = "Open",
        ["TriggerFiringDetails.clearedAt"] = null, ["TriggerFiringDetails.clearedBecause"] = null, ["TriggerFiringDetails.version"] = 1,
        ["TriggerActions.flag"] = null, ["FlagAction.level"] = "Amber", ["FiringFlag.level"] = "Amber", ["FiringFlag.state"] = "Dismissed", ["FiringFlag.dismissedBy"] = "Dana (Conductor)",
        ["FiringFlag.dismissedAt"] = "2027-02-20T10:00:00+00:00",
        ["MaturityReport.asOf"] = "2027-03-01T09:00:00+00:00", ["MaturityReport.stage"] = "ClosedLoop", ["MaturityCriterion.key"] = "trigger-coverage", ["MaturityCriterion.stage"] = "EventDriven",
        ["MaturityCriterion.name"] = "Active outcomes watched by an enabled trigger", ["MaturityCriterion.value"] = 50, ["MaturityCriterion.threshold"] = 100, ["MaturityCriterion.unit"] = "percent",
        ["MaturityCriterion.comparison"] = "AtLeast", ["MaturityCriterion.met"] = false,
        ["MaturityCriterion.explanation"] = "1 of 2 active outcomes have no enabled trigger: 'Grow loyalty-member lifetime value'.",
        ["MaturityNext.stage"] = "EventDriven", ["MaturityNext.missing"] = new JsonArray("1 of 2 active outcomes have no enabled trigger: 'Grow loyalty-member lifetime value'."),
        ["MaturityReport.trend"] = new JsonArray(new JsonObject { ["at"] = "2027-02-01T00:00:00+00:00", ["stage"] = "ClosedLoop", ["criteriaMet"] = 5 }),
        ["MaturityTrendPoint.at"] = "2027-02-01T00:00:00+00:00", ["MaturityTrendPoint.stage"] = "ClosedLoop", ["MaturityTrendPoint.criteriaMet"] = 5,
        ["StatusPolicyDetails.version"] = 2, ["StatusPolicyDetails.behindPoints"] = 10, ["StatusPolicyDetails.farBehindPoints"] = 25, ["StatusPolicyDetails.acknowledgementDays"] = 3,
        ["StatusPolicyDetails.updatedBy"] = "Dana (Conductor)", ["StatusPolicyDetails.updatedAt"] = "2027-02-20T10:00:00+00:00",
        ["TriggerActions.openTask"] = null, ["TaskAction.title"] = "Rebalance the pipeline spend", ["TaskAssignee.role"] = "Orchestrator", ["TaskAssignee.discipline"] = "Crm",
        ["TaskDetails.title"] = "Rebalance the pipeline spend", ["TaskDetails.evidence"] = "Qualified pipeline is 12.5 points behind pace (43 % of its way, 55 % of the window gone; more than 10 points fires).",
        ["TaskDetails.state"] = "Open", ["TaskDetails.note"] = null, ["TaskDetails.closedBy"] = null, ["TaskDetails.closedAt"] = null,
        ["DryRunFiring.subject"] = "kpi pipeline", ["DryRunFiring.summary"] = "Qualified pipeline is 12.5 points behind pace (43 % of its way, 55 % of the window gone; more than 10 points fires).",
        ["DryRunFiring.values"] = new JsonObject { ["progress"] = 42.5, ["elapsed"] = 55, ["behindPoints"] = 12.5, ["threshold"] = 10 }, ["DryRunFiring.disciplines"] = new JsonArray(),
        ["DryRunFiring.clearedAt"] = "2027-03-02T00:00:00+00:00", ["TriggerDryRun.outcomes"] = 1, ["TriggerDryRun.moments"] = 212, ["TriggerDryRun.truncated"] = false,
        ["WebhookEndpointChange.change"] = "Registered", ["WebhookReplay.queued"] = 17, ["WebhookReplay.from"] = 42, ["WebhookReplay.through"] = 97,

        // Status, the portfolio and baselines.
        ["state"] = "Active", ["rag"] = "Amber", ["ragThen"] = "Green", ["ragNow"] = "Amber", ["BaselineDetails.rag"] = "Green", ["daysLeft"] = 274,
        ["OutcomeStatusReport.startsOn"] = "2027-01-01", ["OutcomeStatusReport.endsOn"] = "2027-12-31", ["OutcomeStatusReport.budget"] = Money(1_250_000),
        ["PortfolioItem.startsOn"] = "2027-01-01", ["PortfolioItem.endsOn"] = "2027-12-31", ["PortfolioItem.budget"] = Money(1_250_000),
        ["PortfolioItem.status"] = $"/outcomes/{Ids.Outcome}/status", ["PortfolioItem.statusLink"] = $"/outcomes/{Ids.Outcome}/status", ["kpisBehindPace"] = 0,
        ["rules"] = new JsonArray("discipline-without-approved-plan"), ["disciplinesWithProblems"] = new JsonArray("Advertising"),
        ["DisciplineStatus.discipline"] = "Crm", ["DisciplineStatus.plan"] = "InExecution",
        ["OutcomeStatusReport.title"] = "Grow loyalty-member lifetime value", ["PortfolioItem.title"] = "Grow loyalty-member lifetime value",
        ["PortfolioItem.conductor"] = "Ada Lovelace", ["BudgetAllocation.budget"] = Money(1_250_000),
        ["done"] = 0, ["inProgress"] = 1, ["cancelled"] = false, ["ActivityCounts.cancelled"] = 0,
        ["agreed"] = 1, ["awaitingAcknowledgement"] = 0, ["contested"] = 0, ["broken"] = 0, ["ConnectionHealth.inConflict"] = 0, ["met"] = 0,
        ["ActivityCounts.planned"] = 0, ["inConflict"] = false,
        ["level"] = "Amber", ["rule"] = "discipline-without-approved-plan", ["about"] = "discipline Advertising",
        ["RagReason.detail"] = "Advertising's plan is Submitted.", ["RagReason.disciplines"] = new JsonArray("Advertising"),
        ["StatusChange.kind"] = "ActivityMoved", ["StatusChange.about"] = $"activity {Ids.Activity}",
        ["StatusChange.detail"] = "'Win-back email series' 2027-03-01–2027-04-30 → 2027-03-15–2027-05-15 (start +14 days).",
        ["StatusEvent.id"] = At.UtcTicks.ToString(CultureInfo.InvariantCulture), ["StatusEvent.kind"] = "Change", ["StatusEvent.at"] = Moment(At),
        ["BaselineVariance.endsOnThen"] = "2027-12-31", ["BaselineVariance.endsOn"] = "2028-03-31", ["BaselineVariance.endShiftDays"] = 91,
        ["BaselineVariance.budgetThen"] = Money(1_250_000), ["BaselineVariance.budget"] = Money(1_400_000),
        ["budgetThen"] = Money(300_000), ["budgetNow"] = Money(320_000), ["plannedThen"] = Money(45_000), ["plannedNow"] = Money(52_000),
        ["spentThen"] = Money(0), ["spentNow"] = Money(12_500), ["spentVariance"] = Money(12_500), ["DisciplineVariance.discipline"] = "Crm",
        ["ActivityVariance.discipline"] = "Crm", ["startsOnThen"] = "2027-03-01", ["ActivityVariance.startsOn"] = "2027-03-15", ["endsOnThen"] = "2027-04-30",
        ["ActivityVariance.endsOn"] = "2027-05-15", ["startShiftDays"] = 14, ["ActivityVariance.endShiftDays"] = 15, ["statusThen"] = "Planned",
        ["ActivityVariance.status"] = "InProgress", ["ActivityVariance.budgetThen"] = Money(45_000), ["ActivityVariance.budget"] = Money(52_000),
    };

    /// <summary>The example of <paramref name="type"/> as the API would answer it (JSON as the API writes it).</summary>
    public static JsonNode? For(Type type, JsonSerializerOptions json) => Node(json.GetTypeInfo(type), null, null, json, [type]);

    private static JsonNode? Node(JsonTypeInfo info, string? name, JsonObject? echo, JsonSerializerOptions json, HashSet<Type> path)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (echo is null && Echoes.TryGetValue(type, out var source))
        {
            var example = source();
            echo = JsonSerializer.SerializeToNode(example, example.GetType(), json)!.AsObject();
        }

        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                var node = new JsonObject();
                foreach (var property in info.Properties)
                {
                    node[property.Name] = Field(type, property, echo, json, path);
                }

                return node;
            case JsonTypeInfoKind.Enumerable:
                var item = json.GetTypeInfo(info.ElementType!);
                return new JsonArray(Node(item, name, null, json, path));
            default:
                throw new InvalidOperationException($"No example for {type.Name}.");
        }
    }

    private static JsonNode? Field(Type declaring, JsonPropertyInfo property, JsonObject? echo, JsonSerializerOptions json, HashSet<Type> path)
    {
        var name = property.Name;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var nullable = property.IsGetNullable;
        if (Values.TryGetValue($"{declaring.Name}.{name}", out var given))
        {
            return given?.DeepClone();
        }

        if (declaring == typeof(Feed.CloudEvent) && name == "data")
        {
            // An activity moved two weeks later: the activity as its GET answers it now, and its dates before.
            var activity = For(typeof(ActivityDetails), json)!.AsObject();
            activity["startsOn"] = "2027-03-15";
            activity["endsOn"] = "2027-05-15";
            return new JsonObject { ["object"] = activity, ["previous"] = new JsonObject { ["startsOn"] = "2027-03-01", ["endsOn"] = "2027-04-30" }, ["by"] = "Grace Hopper" };
        }

        if (echo is not null && echo.TryGetPropertyValue(name, out var echoed) && (echoed is not null || nullable))
        {
            var target = json.GetTypeInfo(type);
            return echoed switch
            {
                JsonObject inner when target.Kind == JsonTypeInfoKind.Object => Merge(inner, target, json, path),
                JsonArray items when target.Kind == JsonTypeInfoKind.Enumerable && json.GetTypeInfo(target.ElementType!) is { Kind: JsonTypeInfoKind.Object } item =>
                    new JsonArray([.. items.Select(i => (JsonNode?)Merge(i!.AsObject(), item, json, path))]),
                _ => echoed?.DeepClone(),
            };
        }

        if (Values.TryGetValue(name, out given))
        {
            return given?.DeepClone();
        }

        if (type == typeof(Guid))
        {
            return name == "id" && OwnIds.TryGetValue(declaring, out var own) ? own.ToString()
                : IdsByName.TryGetValue(name, out var id) ? id.ToString()
                : nullable ? null : throw new InvalidOperationException($"No example id for {declaring.Name}.{name}.");
        }

        if (type == typeof(DateTimeOffset))
        {
            return Moment(At);
        }

        if (type == typeof(DateOnly))
        {
            return name switch { "startsOn" or "from" => "2027-03-01", "endsOn" or "to" => "2027-04-30", _ => nullable ? null : throw new InvalidOperationException($"No example date for {declaring.Name}.{name}.") };
        }

        if (type.IsEnum)
        {
            return Enum.GetNames(type)[0];
        }

        if (type == typeof(bool))
        {
            return false;
        }

        if (nullable && (type == typeof(string) || type.IsValueType))
        {
            return null;
        }

        var info = json.GetTypeInfo(property.PropertyType);
        if (info.Kind == JsonTypeInfoKind.None || !path.Add(type))
        {
            throw new InvalidOperationException($"No example value for {declaring.Name}.{name}: give one in {nameof(ContractExamples)}.");
        }

        try
        {
            return Node(info, name, null, json, path);
        }
        finally
        {
            path.Remove(type);
        }
    }

    /// <summary>An echoed object completed with the fields the request did not carry.</summary>
    private static JsonObject Merge(JsonObject echoed, JsonTypeInfo info, JsonSerializerOptions json, HashSet<Type> path)
    {
        var node = new JsonObject();
        foreach (var property in info.Properties)
        {
            node[property.Name] = Field(info.Type, property, echoed, json, path);
        }

        return node;
    }

    private static JsonObject Money(decimal amount) => new() { ["amount"] = amount, ["currency"] = "EUR" };

    private static JsonObject Ratio(decimal value) => new() { ["value"] = value, ["reason"] = null };

    private static JsonObject Side(Guid plan, Guid activity, string discipline) =>
        new() { ["planId"] = plan.ToString(), ["activityId"] = activity.ToString(), ["discipline"] = discipline };

    private static string Moment(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture).Replace("Z", "+00:00", StringComparison.Ordinal);
}
