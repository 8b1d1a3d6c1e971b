/** Word lists the sample org draws its names from. */

export const INDUSTRIES = [
  'Manufacturing', 'Financial Services', 'Healthcare', 'Retail', 'Technology', 'Energy',
  'Logistics', 'Telecommunications', 'Public Sector', 'Professional Services',
] as const;

export const OFFERING_NAMES = [
  'Analytics', 'Cloud Hosting', 'Managed Security', 'Data Integration', 'Field Service',
  'Consulting', 'Training', 'Support Plus', 'Payments', 'Identity', 'Backup', 'Networking',
  'Collaboration', 'IoT Platform', 'Document Management', 'Procurement', 'HR Suite',
  'Payroll', 'CRM Connect', 'Marketing Automation', 'E-commerce', 'Logistics Planning',
  'Asset Tracking', 'Compliance', 'Risk Management', 'Forecasting', 'Workforce Scheduling',
  'Energy Monitoring', 'Fleet Management', 'Customer Portal', 'Mobile Apps', 'Edge Devices',
  'API Gateway', 'Data Warehouse', 'Machine Learning', 'Quality Management', 'Maintenance',
  'Print Services', 'Voice', 'Managed Desktop', 'Archiving', 'Translation', 'Travel Desk',
  'Facilities', 'Legal Hold', 'Expense Management', 'Contract Management', 'Survey Tools',
] as const;

export const PRODUCT_TIERS = ['Standard', 'Professional', 'Enterprise'] as const;

export const COMPANY_STEMS = [
  'Northwind', 'Contoso', 'Fabrikam', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne',
  'Tyrell', 'Cyberdyne', 'Soylent', 'Hooli', 'Vandelay', 'Wonka', 'Acme', 'Gringotts',
  'Oscorp', 'Massive', 'Aperture', 'Blue Sun', 'Monarch', 'Veridian', 'Pied Piper', 'Zenith',
  'Halcyon', 'Meridian', 'Summit', 'Keystone', 'Pioneer', 'Harbor', 'Granite', 'Evergreen',
  'Silverline', 'Redwood', 'Ironbridge', 'Lakeside', 'Sterling', 'Beacon', 'Crescent', 'Orion',
] as const;

export const COMPANY_SUFFIXES = [
  'Holdings', 'Group', 'Industries', 'Corporation', 'Partners', 'International', 'Systems',
  'Enterprises', 'Solutions', 'Works',
] as const;

export const DIVISIONS = [
  'Logistics', 'Retail', 'Finance', 'Manufacturing', 'Research', 'Services', 'Digital',
  'Operations', 'Healthcare', 'Energy', 'Consumer', 'Industrial', 'Capital', 'Labs',
] as const;

export const REGIONS = [
  'EMEA', 'Americas', 'APAC', 'Nordics', 'DACH', 'Iberia', 'Benelux', 'UK', 'France', 'Italy',
  'Japan', 'Brazil', 'Canada', 'Mexico', 'India', 'Australia',
] as const;

export const COUNTRIES = [
  'US', 'GB', 'DE', 'FR', 'NL', 'ES', 'IT', 'SE', 'JP', 'BR', 'CA', 'AU', 'IN', 'MX',
] as const;

export const FIRST_NAMES = [
  'Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kira',
  'Luis', 'Maya', 'Noah', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera',
  'Wei', 'Ximena', 'Yusuf', 'Zoe',
] as const;

export const LAST_NAMES = [
  'Abbott', 'Berg', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Hughes', 'Ito',
  'Jansen', 'Kowalski', 'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Petrov', 'Quintero',
  'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang',
] as const;

export const TITLES = [
  'CIO', 'CFO', 'COO', 'Head of Procurement', 'IT Director', 'Operations Manager',
  'VP Engineering', 'Finance Director', 'Purchasing Manager', 'Plant Manager',
  'Head of Digital', 'Project Lead', 'Category Manager', 'Security Officer',
] as const;
