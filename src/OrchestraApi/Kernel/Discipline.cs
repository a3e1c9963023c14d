namespace OrchestraApi.Kernel;

/// <summary>The four marketing disciplines whose plans OrchestraApi links.</summary>
public enum Discipline
{
    Advertising,
    PublicRelations,
    Digital,
    Crm,
}
