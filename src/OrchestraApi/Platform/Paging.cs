using System.Buffers.Text;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using System.Reflection;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Validation;

namespace OrchestraApi.Platform;

/// <summary>One page of a list; pass <c>nextCursor</c> back as <c>cursor</c> for the next page (null: no more).</summary>
/// <param name="Items">This page's items.</param>
/// <param name="NextCursor">Pass it as `cursor` for the next page; null on the last page.</param>
public sealed record Page<T>([property: MaxLength(Cursor.MaxLimit)] IReadOnlyList<T> Items, [property: MaxLength(200)] string? NextCursor);

/// <summary>Opaque keyset cursors: a page never skips or repeats items when others are added meanwhile.</summary>
public static class Cursor
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static int Limit(int? limit) => limit switch
    {
        null => DefaultLimit,
        < 1 or > MaxLimit => throw new InvalidInputException("limit", $"must be between 1 and {MaxLimit}."),
        _ => limit.Value,
    };

    public static string Encode(Guid id) => Base64Url.EncodeToString(id.ToByteArray(bigEndian: true));

    public static string Encode(long position) => Base64Url.EncodeToString(BitConverter.GetBytes(position));

    public static string EncodeKey(string key) => Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(key));

    public static string DecodeKey(string cursor)
    {
        try
        {
            var key = cursor.Length <= 200 ? System.Text.Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)) : throw new FormatException();
            return RequestValidation.Storable(key) && !key.Contains('\uFFFD', StringComparison.Ordinal) ? key : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new InvalidInputException("cursor", "is not a cursor this list returned.");
        }
    }

    public static Guid? DecodeGuid(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        return cursor.Length <= 32 && Base64Url.IsValid(cursor) && Base64Url.DecodeFromChars(cursor) is { Length: 16 } bytes
            ? new Guid(bytes, bigEndian: true)
            : throw new InvalidInputException("cursor", "is not a cursor this list returned.");
    }

    public static long DecodePosition(string? cursor)
    {
        if (cursor is null)
        {
            return 0;
        }

        return cursor.Length <= 16 && Base64Url.IsValid(cursor) && Base64Url.DecodeFromChars(cursor) is { Length: 8 } bytes
            ? BitConverter.ToInt64(bytes)
            : throw new InvalidInputException("cursor", "is not a cursor this list returned.");
    }

    /// <summary>Takes <paramref name="limit"/> items of <paramref name="fetched"/> (which has one extra when more exist).</summary>
    public static Page<TOut> Slice<TIn, TOut>(IReadOnlyList<TIn> fetched, int limit, Func<TIn, string> cursorOf, Func<TIn, TOut> map) =>
        new([.. fetched.Take(limit).Select(map)], fetched.Count > limit ? cursorOf(fetched[limit - 1]) : null);
}

/// <summary>
/// A validated page of a list keyed by its items' ids (UUID v7, so id order is creation order): how every such list
/// pages, written once. Read it from the request first (<see cref="PageRequest.ById"/>), so a bad limit or cursor is a
/// 400 before anything is looked up.
/// </summary>
public readonly record struct IdPage(int Limit, Guid? After)
{
    private static readonly ConcurrentDictionary<MemberInfo, Delegate> Ids = new();

    /// <summary>The items of <paramref name="query"/> after the cursor, in id order, with the cursor of the next page.</summary>
    public async Task<Page<TOut>> ReadAsync<T, TOut>(IQueryable<T> query, Expression<Func<T, Guid>> id, Func<T, TOut> map, CancellationToken ct)
        where T : notnull
    {
        if (After is { } after)
        {
            query = query.Where(Expression.Lambda<Func<T, bool>>(Expression.GreaterThan(id.Body, Expression.Constant(after)), id.Parameters));
        }

        var fetched = await query.OrderBy(id).Take(Limit + 1).ToListAsync(ct);
        var idOf = (Func<T, Guid>)Ids.GetOrAdd(((MemberExpression)id.Body).Member, _ => id.Compile());
        return Cursor.Slice(fetched, Limit, x => Cursor.Encode(idOf(x)), map);
    }

    /// <summary>The same over items in memory, already in id order (a list read from a cached state).</summary>
    public Page<TOut> Read<T, TOut>(IEnumerable<T> inIdOrder, Func<T, Guid> id, Func<T, TOut> map)
    {
        var after = After;
        var fetched = inIdOrder.Where(x => after is null || id(x).CompareTo(after.Value) > 0).Take(Limit + 1).ToList();
        return Cursor.Slice(fetched, Limit, x => Cursor.Encode(id(x)), map);
    }
}

/// <summary>Query-string paging parameters shared by every list.</summary>
// The attributes state the limits in the contract; Cursor checks them in the API's words, so the framework does not.
[SkipValidation]
public sealed record PageRequest
{
    /// <summary>The page of a list keyed by ids: 400 for a limit out of range or a cursor this list did not return.</summary>
    public IdPage ById() => new(Platform.Cursor.Limit(Limit), Platform.Cursor.DecodeGuid(Cursor));

    [FromQuery(Name = "limit")]
    [Description("Page size, 1–100 (default 20).")]
    [Range(1, Platform.Cursor.MaxLimit), DefaultValue(Platform.Cursor.DefaultLimit)]
    public int? Limit { get; init; }

    [FromQuery(Name = "cursor")]
    [Description("The `nextCursor` of the previous page; omit it for the first page. Anything else is a 400.")]
    [MaxLength(200)]
    public string? Cursor { get; init; }
}
