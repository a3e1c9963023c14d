namespace OrchestraApi.Kernel;

/// <summary>What a key may do in its organisation.</summary>
public enum Role
{
    /// <summary>Manages the organisation's keys and everything in it.</summary>
    Admin,

    /// <summary>Reads everything in the organisation.</summary>
    Cmo,

    /// <summary>Manages outcomes, connections and approvals.</summary>
    Conductor,

    /// <summary>Manages the plans and results of one discipline.</summary>
    Orchestrator,

    /// <summary>Acts for the disciplines it was granted.</summary>
    Agency,
}

