using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Webhooks;

public sealed record GetWebhookEndpoint(Guid EndpointId) : IRequest<WebhookEndpointDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetWebhookEndpoint, WebhookEndpointDetails>
    {
        public async Task<WebhookEndpointDetails> Handle(GetWebhookEndpoint query, CancellationToken cancellationToken)
        {
            var endpoint = await session.WebhookEndpointAsync(query.EndpointId, cancellationToken);
            return WebhookEndpointDetails.Of(endpoint, endpoint.Version);
        }
    }
}

public sealed record ListWebhookEndpoints(PageRequest Page, bool? Enabled) : IRequest<Page<WebhookEndpointDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListWebhookEndpoints, Page<WebhookEndpointDetails>>
    {
        public Task<Page<WebhookEndpointDetails>> Handle(ListWebhookEndpoints query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            IQueryable<WebhookEndpoint> endpoints = session.Query<WebhookEndpoint>();
            if (query.Enabled is { } enabled)
            {
                endpoints = endpoints.Where(e => e.Enabled == enabled);
            }

            return page.ReadAsync(endpoints, e => e.Id, e => WebhookEndpointDetails.Of(e, e.Version), cancellationToken);
        }
    }
}

/// <summary>The endpoint after each change (its secret never shown).</summary>
/// <param name="Change">What happened: Registered, Revised, Enabled, Disabled, SecretRotated or PreviousSecretRevoked.</param>
/// <param name="Endpoint">The endpoint after the change.</param>
public sealed record WebhookEndpointChange(long Version, [property: MaxLength(100)] string Change, WebhookEndpointDetails Endpoint, [property: MaxLength(200)] string By, DateTimeOffset At);

public sealed record GetWebhookEndpointHistory(Guid EndpointId, PageRequest Page) : IRequest<Page<WebhookEndpointChange>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetWebhookEndpointHistory, Page<WebhookEndpointChange>>
    {
        public async Task<Page<WebhookEndpointChange>> Handle(GetWebhookEndpointHistory query, CancellationToken cancellationToken)
        {
            var limit = Platform.Cursor.Limit(query.Page.Limit);
            var after = Platform.Cursor.DecodePosition(query.Page.Cursor);
            var events = query.EndpointId == Guid.Empty ? [] : await session.Events.FetchStreamAsync(query.EndpointId, token: cancellationToken);
            if (events.Count == 0)
            {
                throw new NotFoundException($"WebhookEndpoint {query.EndpointId} was not found.");
            }

            WebhookEndpoint? state = null;
            var changes = new List<WebhookEndpointChange>();
            foreach (var e in events)
            {
                state = Fold.Next(state, e.Data);
                var (by, at) = e.Data switch
                {
                    WebhookEndpointRegistered x => (x.By, x.At),
                    WebhookEndpointRevised x => (x.By, x.At),
                    WebhookEndpointEnabled x => (x.By, x.At),
                    WebhookEndpointDisabled x => (x.By, x.At),
                    WebhookSecretRotated x => (x.By, x.At),
                    WebhookPreviousSecretRevoked x => (x.By, x.At),
                    _ => ("", e.Timestamp),
                };
                var change = e.Data.GetType().Name.Replace("WebhookEndpoint", "", StringComparison.Ordinal).Replace("Webhook", "", StringComparison.Ordinal);
                changes.Add(new WebhookEndpointChange(e.Version, change, WebhookEndpointDetails.Of(state, e.Version), by, at));
            }

            return Platform.Cursor.Slice([.. changes.Where(c => c.Version > after).Take(limit + 1)], limit, c => Platform.Cursor.Encode(c.Version), c => c);
        }
    }
}

/// <summary>Which deliveries to list.</summary>
[Microsoft.Extensions.Validation.SkipValidation]
public sealed record DeliveryFilter
{
    [FromQuery(Name = "state")]
    [Description("Only deliveries in this state: Pending, Delivered or Failed.")]
    public WebhookDeliveryState? State { get; init; }

    [FromQuery(Name = "type")]
    [Description("Only deliveries of this event type (the event catalogue).")]
    [MaxLength(100)]
    public string? Type { get; init; }
}

public sealed record ListWebhookDeliveries(Guid EndpointId, DeliveryFilter Filter, PageRequest Page) : IRequest<Page<WebhookDeliveryDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListWebhookDeliveries, Page<WebhookDeliveryDetails>>
    {
        public async Task<Page<WebhookDeliveryDetails>> Handle(ListWebhookDeliveries query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            if (query.Filter.Type is { } type && !Feed.PublicEvents.Types.Contains(type) && type != WebhookRules.TestType)
            {
                throw new InvalidInputException("type", type.Length <= 100 ? $"'{type}' is not an event type of the catalogue (GET /event-types)." : "is not an event type of the catalogue (GET /event-types).");
            }

            await session.WebhookEndpointAsync(query.EndpointId, cancellationToken);
            IQueryable<WebhookDelivery> deliveries = session.Query<WebhookDelivery>().Where(d => d.EndpointId == query.EndpointId);
            if (query.Filter.State is { } state)
            {
                var name = state.ToString();
                deliveries = deliveries.Where(d => d.State == name);
            }

            if (query.Filter.Type is { } only)
            {
                deliveries = deliveries.Where(d => d.Type == only);
            }

            return await page.ReadAsync(deliveries, d => d.Id, WebhookDeliveryDetails.Of, cancellationToken);
        }
    }
}

public sealed record GetWebhookDelivery(Guid EndpointId, Guid DeliveryId) : IRequest<WebhookDeliveryDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetWebhookDelivery, WebhookDeliveryDetails>
    {
        public async Task<WebhookDeliveryDetails> Handle(GetWebhookDelivery query, CancellationToken cancellationToken) =>
            WebhookDeliveryDetails.Of(await session.WebhookDeliveryAsync(query.EndpointId, query.DeliveryId, cancellationToken));
    }
}

public static class WebhookLookups
{
    public static async Task<WebhookEndpoint> WebhookEndpointAsync(this IQuerySession session, Guid endpointId, CancellationToken ct) =>
        endpointId != Guid.Empty && await session.LoadAsync<WebhookEndpoint>(endpointId, ct) is { } endpoint
            ? endpoint
            : throw new NotFoundException($"WebhookEndpoint {endpointId} was not found.");

    public static async Task<WebhookDelivery> WebhookDeliveryAsync(this IQuerySession session, Guid endpointId, Guid deliveryId, CancellationToken ct) =>
        deliveryId != Guid.Empty && await session.LoadAsync<WebhookDelivery>(deliveryId, ct) is { } delivery && delivery.EndpointId == endpointId
            ? delivery
            : throw new NotFoundException($"Delivery {deliveryId} of webhook endpoint {endpointId} was not found.");
}
