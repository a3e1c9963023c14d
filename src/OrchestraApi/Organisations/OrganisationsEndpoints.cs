using System.ComponentModel;
using System.Security.Claims;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Organisations;

public static class OrganisationsEndpoints
{
    public static void MapOrganisations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/organisations").WithTags("Organisations").Problems(400, 401, 403, 429, 503);

        group.MapPost("/", CreateOrganisation).RequireAuthorization(Policies.PlatformAdmin)
            .WithName(nameof(Organisations.CreateOrganisation)).WithSummary("Create an organisation")
            .WithDescription("Creates a client brand: the tenant all its outcomes, plans and keys belong to. Bootstrap admin key only. Accepts Idempotency-Key.")
            .Problems(422);
        group.MapGet("/{organisationId:guid}", GetOrganisation).RequireAuthorization(Policies.AnyKey)
            .WithName(nameof(Organisations.GetOrganisation)).WithSummary("Get an organisation")
            .WithDescription("An organisation: the bootstrap admin key reads any, a key of the organisation reads its own.")
            .Problems(404);
        group.MapPost("/{organisationId:guid}/api-keys", IssueApiKey).RequireAuthorization(Policies.ManageKeys)
            .WithName(nameof(Organisations.IssueApiKey)).WithSummary("Issue an API key")
            .WithDescription("Issues a key with one role in the organisation. The secret is in the response only once; several keys per holder may be active, for rotation. With Idempotency-Key, a retry never issues a second key: it is a 409 (`api-key-shown-once`) naming the key already issued, whose secret is not shown again (revoke it and issue another if its answer was lost).")
            .Problems(404, 409);
        group.MapGet("/{organisationId:guid}/api-keys/{keyId:guid}", GetApiKey).RequireAuthorization(Policies.ManageKeys)
            .WithName(nameof(Organisations.GetApiKey)).WithSummary("Get an API key")
            .WithDescription("One key of the organisation, without its secret: whether it is active, its role and disciplines.")
            .Problems(404);
        group.MapGet("/{organisationId:guid}/api-keys", ListApiKeys).RequireAuthorization(Policies.ManageKeys)
            .WithName(nameof(Organisations.ListApiKeys)).WithSummary("List API keys")
            .WithDescription("The organisation's keys, oldest first, without secrets.")
            .Problems(404);
        group.MapDelete("/{organisationId:guid}/api-keys/{keyId:guid}", RevokeApiKey).RequireAuthorization(Policies.ManageKeys)
            .WithName(nameof(Organisations.RevokeApiKey)).WithSummary("Revoke an API key")
            .WithDescription("Revokes a key at once; requests with it then get 401. Revoking twice answers the same, so any retry is safe (Idempotency-Key is accepted and needs nothing kept).")
            .Problems(404);
    }

    private static async Task<Created<OrganisationDetails>> CreateOrganisation(
        CreateOrganisationRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, IMediator mediator, CancellationToken ct)
    {
        var organisation = await mediator.Send(new CreateOrganisation(request, Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/organisations/{organisation.Id}", organisation);
    }

    private static async Task<Created<IssuedApiKey>> IssueApiKey(
        [Description("The organisation's id.")] Guid organisationId, IssueApiKeyRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var key = await mediator.Send(new IssueApiKey(organisationId, request, user.FindFirstValue(OrchestraClaims.Organisation), Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/organisations/{organisationId}/api-keys/{key.Id}", key);
    }

    private static Task<OrganisationDetails> GetOrganisation([Description("The organisation's id.")] Guid organisationId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetOrganisation(organisationId, user.FindFirstValue(OrchestraClaims.Organisation)), ct);

    private static Task<ApiKeySummary> GetApiKey([Description("The organisation's id.")] Guid organisationId, [Description("The API key's id (the second part of the key).")] Guid keyId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetApiKey(organisationId, keyId, user.FindFirstValue(OrchestraClaims.Organisation)), ct);

    private static Task<Page<ApiKeySummary>> ListApiKeys([Description("The organisation's id.")] Guid organisationId, [AsParameters] PageRequest page, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListApiKeys(organisationId, user.FindFirstValue(OrchestraClaims.Organisation), page), ct);

    private static Task<ApiKeySummary> RevokeApiKey([Description("The organisation's id.")] Guid organisationId, [Description("The API key's id (the second part of the key).")] Guid keyId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new RevokeApiKey(organisationId, keyId, user.FindFirstValue(OrchestraClaims.Organisation)), ct);
}
